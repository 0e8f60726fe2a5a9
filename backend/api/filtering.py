"""Query filters belong to the list they filter.

DRF applies a viewset's filter backends (``?state=``, ``?search=``, ``?ordering=``…) in
``get_object`` too, so ``actions/5/history/?state=closed`` was a 404 for an action that is not
closed. Here the list's filters filter the list only; an action's own lists (``history/``,
``transitions/``, ``reminders/``) have filters of their own (``backend.api.action_lists``),
documented on their operation.
"""


# A mixin for viewsets: the filter backends apply to the ``list`` action only. (No docstring:
# drf-spectacular would take it for the description of every viewset without one.)
class ListFiltersOnList:
    def filter_queryset(self, queryset):
        if getattr(self, "action", "list") != "list":
            return queryset
        return super().filter_queryset(queryset)
