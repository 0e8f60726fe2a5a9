"""The devices the browser tests emulate."""

# A phone's screen (375 CSS pixels wide, as an iPhone SE or a small Android).
PHONE_SCREEN = {"viewport": {"width": 375, "height": 740}}
# The whole phone, for the pages people open from an e-mail on the move (partners, members):
# its screen, a dense display, touch, a French browser.
PHONE = {
    **PHONE_SCREEN,
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "fr-FR",
}
