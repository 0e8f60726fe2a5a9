"""The Loire demo data, as plain Python structures; ``backend.demo.loader`` turns it into rows.

Everything has a natural key (slug, INSEE code, name, e-mail, username, title) so that loading
twice creates nothing new. Dates are given in days relative to the day of loading, so the demo
stays valid whenever it is loaded. Names of people are invented; every e-mail address is on a
reserved ``.example`` domain and every phone number in the range ARCEP keeps for fiction.
"""

import unicodedata

# The one password of every demo staff account (it is printed by ``load_demo``).
DEMO_PASSWORD = "demo-caf42-2026"

PROJECT_YEAR = 2026

FOREZ = "forez-montbrisonnais"
GOP = "gier-ondaine-pilat"
ROANNAIS = "roannais"
STETIENNE = "saint-etienne-couronne"
ALL_TERRITORIES = (FOREZ, GOP, ROANNAIS, STETIENNE)

# --- territories, communes, neighbourhoods --------------------------------------------------

TERRITORIES = [
    {
        "slug": FOREZ,
        "name": "Forez-Montbrisonnais",
        "communes": [
            ("42147", "Montbrison"),
            ("42304", "Sury-le-Comtal"),
            ("42094", "Feurs"),
            ("42279", "Saint-Just-Saint-Rambert"),
        ],
    },
    {
        "slug": GOP,
        "name": "Gier-Ondaine-Pilat",
        "communes": [
            ("42207", "Saint-Chamond"),
            ("42186", "Rive-de-Gier"),
            ("42095", "Firminy"),
            ("42044", "Le Chambon-Feugerolles"),
        ],
    },
    {
        "slug": ROANNAIS,
        "name": "Roannais",
        "communes": [
            ("42187", "Roanne"),
            ("42184", "Riorges"),
            ("42127", "Mably"),
        ],
    },
    {
        "slug": STETIENNE,
        "name": "Saint-Etienne et sa couronne",
        "communes": [
            ("42218", "Saint-Étienne"),
            ("42189", "Roche-la-Molière"),
            ("42330", "Villars"),
            ("42275", "Saint-Priest-en-Jarez"),
        ],
    },
]

# (INSEE code of the commune, name, priority area of the city policy: QPV)
NEIGHBOURHOODS = [
    ("42207", "Saint-Julien", True),
    ("42095", "Firminy-Vert", True),
    ("42187", "Mulsant", True),
    ("42187", "Centre-ville", False),
    ("42218", "Montreynaud", True),
]

# --- staff accounts ---------------------------------------------------------------------------

STAFF = [
    {"username": "ts.forez", "first_name": "Élodie", "last_name": "Marcoux",
     "role": "social_worker", "territories": [FOREZ]},
    {"username": "ts.gop", "first_name": "Karim", "last_name": "Benhamou",
     "role": "social_worker", "territories": [GOP]},
    {"username": "ts.roannais", "first_name": "Sophie", "last_name": "Lambert",
     "role": "social_worker", "territories": [ROANNAIS]},
    {"username": "ts.stetienne", "first_name": "Julien", "last_name": "Tardy",
     "role": "social_worker", "territories": [STETIENNE]},
    {"username": "rt.forez", "first_name": "Anne-Sophie", "last_name": "Girard",
     "role": "territory_manager", "territories": [FOREZ]},
    {"username": "rt.gop", "first_name": "Laurent", "last_name": "Bonnefoy",
     "role": "territory_manager", "territories": [GOP]},
    {"username": "rt.roannais", "first_name": "Valérie", "last_name": "Perrot",
     "role": "territory_manager", "territories": [ROANNAIS]},
    {"username": "rt.stetienne", "first_name": "Marc", "last_name": "Dupuy",
     "role": "territory_manager", "territories": [STETIENNE]},
    {"username": "secretariat", "first_name": "Corinne", "last_name": "Bayle",
     "role": "board_secretary", "territories": list(ALL_TERRITORIES)},
    {"username": "direction", "first_name": "François", "last_name": "Montagne",
     "role": "director", "territories": [], "is_staff": True},
    {"username": "admin", "first_name": "Pierre", "last_name": "Besson",
     "role": "admin", "territories": [], "is_staff": True, "is_superuser": True},
]  # fmt: skip

STAFF_EMAIL_DOMAIN = "caf42.example"

# Who fires the transitions of the demo actions: the social worker of the action's territory
# writes, submits and starts it; its territory manager schedules it; the secretary records
# the board's decision.
SOCIAL_WORKER = {FOREZ: "ts.forez", GOP: "ts.gop", ROANNAIS: "ts.roannais",
                 STETIENNE: "ts.stetienne"}  # fmt: skip
TERRITORY_MANAGER = {FOREZ: "rt.forez", GOP: "rt.gop", ROANNAIS: "rt.roannais",
                     STETIENNE: "rt.stetienne"}  # fmt: skip
BOARD_SECRETARY = "secretariat"
DIRECTOR = "direction"

# --- territory projects: diagnostic, findings, axes -------------------------------------------
# Findings have a key the actions refer to; "commune" is an INSEE code or None.

PROJECTS = {
    FOREZ: {
        "title": "Projet de territoire Forez-Montbrisonnais 2026",
        "summary": (
            "Accompagner la croissance des bourgs de la plaine du Forez : conforter la vie "
            "associative, accueillir les familles qui s'installent et soutenir les parents "
            "de jeunes enfants."
        ),
        "diagnostic": (
            "Analyse menée à l'automne avec les communes, Loire Forez Agglomération et les "
            "associations. Les bourgs proches de l'autoroute gagnent des habitants, souvent de "
            "jeunes couples qui travaillent dans l'agglomération stéphanoise. Les loisirs des "
            "enfants reposent sur quelques bénévoles qui s'essoufflent, et les familles "
            "arrivées récemment connaissent mal les ressources locales."
        ),
        "findings": {
            "sury-equipements": (
                "resource",
                "Des équipements municipaux récents et un tissu associatif ancien",
                "Salle polyvalente, city-stade et une quinzaine d'associations sportives et "
                "culturelles à Sury-le-Comtal.",
                "42304",
            ),
            "sury-associations": (
                "need",
                "Des associations enfance-jeunesse fragilisées",
                "Les bureaux ne se renouvellent plus ; deux associations de loisirs pour les "
                "6-12 ans envisagent d'arrêter faute de bénévoles.",
                "42304",
            ),
            "sury-nouveaux-habitants": (
                "need",
                "Des nouveaux habitants peu présents dans la vie locale",
                "Les familles des lotissements récents travaillent hors de la commune et "
                "ignorent souvent l'offre associative.",
                "42304",
            ),
            "forez-petite-enfance": (
                "resource",
                "Un réseau de relais petite enfance sur toute l'agglomération",
                "Les relais connaissent les familles et les assistantes maternelles.",
                None,
            ),
            "montbrison-parents": (
                "need",
                "Peu de lieux où les parents de tout-petits se retrouvent",
                "Des parents isolés, notamment dans les hameaux, sans lieu d'accueil "
                "enfants-parents à proximité.",
                "42147",
            ),
        },
        "axes": [
            ("Animer une vie sociale partagée entre les acteurs locaux",
             "Relier associations, commune et familles autour d'un projet d'animation globale."),
            ("Faciliter l'installation des nouvelles familles",
             "Faire connaître les ressources du territoire dès l'arrivée."),
            ("Soutenir la parentalité en milieu rural",
             "Rapprocher des familles isolées les lieux d'écoute et d'échange."),
        ],
    },
    GOP: {
        "title": "Projet de territoire Gier-Ondaine-Pilat 2026",
        "summary": (
            "Dans les vallées du Gier et de l'Ondaine, placer les habitants au centre des "
            "transformations urbaines et garder l'accès aux droits ouvert à toutes les familles."
        ),
        "diagnostic": (
            "Diagnostic partagé avec Saint-Etienne Métropole, les villes et les bailleurs. "
            "Les quartiers d'habitat social en réhabilitation connaissent une forte rotation "
            "des locataires ; les habitants se disent informés des travaux mais rarement "
            "consultés. La dématérialisation des démarches éloigne une partie des familles "
            "de leurs droits."
        ),
        "findings": {
            "saint-julien-conseil-citoyen": (
                "resource",
                "Un conseil citoyen mobilisé à Saint-Julien",
                "Une dizaine d'habitants volontaires se réunissent chaque mois.",
                "42207",
            ),
            "saint-julien-rehabilitation": (
                "resource",
                "Un programme de réhabilitation engagé par la ville et le bailleur",
                "Travaux prévus sur les bâtiments, les halls et les espaces extérieurs.",
                "42207",
            ),
            "saint-julien-concertation": (
                "need",
                "Des habitants peu associés aux choix d'aménagement",
                "Les réunions publiques attirent peu de monde et jamais les mêmes familles.",
                "42207",
            ),
            "gop-numerique": (
                "need",
                "Des démarches en ligne hors de portée de nombreuses familles",
                "Pas d'équipement, peu d'aisance avec les sites administratifs, peur de se "
                "tromper.",
                "42095",
            ),
            "gop-centres-sociaux": (
                "resource",
                "Des centres sociaux implantés dans chaque vallée",
                "Des équipes connues des habitants et des locaux accessibles.",
                None,
            ),
        },
        "axes": [
            ("Faire des habitants les acteurs de la transformation de leur quartier",
             "Associer les habitants avant, pendant et après les travaux."),
            ("Garantir l'accès aux droits malgré la dématérialisation",
             "Accompagner les familles dans leurs démarches, au plus près de chez elles."),
        ],
    },
    ROANNAIS: {
        "title": "Projet de territoire Roannais 2026",
        "summary": (
            "Recréer des occasions de rencontre dans les quartiers roannais et offrir aux "
            "jeunes adolescents des loisirs de proximité pendant les vacances."
        ),
        "diagnostic": (
            "Premiers résultats du diagnostic conduit avec Roannais Agglomération et la ville "
            "de Roanne. Au quartier Mulsant, les habitants redoutent que leur cadre de vie se "
            "dégrade et décrivent un repli de chacun chez soi. Dans l'agglomération, les "
            "11-14 ans trouvent peu d'activités encadrées pendant les vacances scolaires."
        ),
        "findings": {
            "mulsant-isolement": (
                "need",
                "Un manque de lien social ressenti à Mulsant",
                "Peu d'endroits où se croiser depuis la fermeture de plusieurs commerces.",
                "42187",
            ),
            "mulsant-cadre-de-vie": (
                "need",
                "La crainte d'une dégradation du cadre de vie",
                "Des habitants inquiets de voir le quartier se paupériser.",
                "42187",
            ),
            "mulsant-locaux": (
                "resource",
                "Des locaux en pied d'immeuble et des espaces verts disponibles",
                "Plusieurs locaux vacants et un square peu utilisé.",
                "42187",
            ),
            "riorges-ados": (
                "need",
                "Peu de loisirs encadrés pour les 11-14 ans pendant les vacances",
                "Trop grands pour les centres de loisirs, trop jeunes pour les séjours.",
                "42184",
            ),
            "roannais-associations": (
                "resource",
                "Des associations sportives et culturelles prêtes à s'ouvrir aux quartiers",
                "Plusieurs clubs proposent des créneaux de découverte gratuits.",
                None,
            ),
        },
        "axes": [
            ("Développer les lieux et les temps de rencontre entre habitants",
             "Repérer avec les habitants les lieux qui peuvent rassembler."),
            ("Proposer des loisirs éducatifs aux préadolescents",
             "Des activités de proximité, pendant les vacances, construites avec les jeunes."),
        ],
    },
    STETIENNE: {
        "title": "Projet de territoire Saint-Etienne et sa couronne 2026",
        "summary": (
            "Soutenir les parents dans leur rôle éducatif et rapprocher des familles les "
            "services qui leur ouvrent des droits."
        ),
        "diagnostic": (
            "Rencontres d'habitants menées par les travailleurs sociaux avec les communes de "
            "la couronne stéphanoise. À Roche-la-Molière, les familles qui fréquentent "
            "l'épicerie sociale disent ne jamais partir en vacances et se sentir seules face "
            "aux difficultés éducatives. À Montreynaud, de nombreux foyers ne demandent pas "
            "les prestations auxquelles ils ont droit."
        ),
        "findings": {
            "rlm-epicerie": (
                "resource",
                "Une épicerie sociale fréquentée et reconnue",
                "Un lieu de confiance où les familles viennent chaque semaine.",
                "42189",
            ),
            "rlm-vacances": (
                "need",
                "Des familles qui ne partent jamais en vacances",
                "Budget, organisation, appréhension : le départ paraît hors d'atteinte.",
                "42189",
            ),
            "rlm-parents": (
                "need",
                "Des parents isolés face aux questions éducatives",
                "Peu d'occasions d'en parler avec d'autres parents.",
                "42189",
            ),
            "montreynaud-non-recours": (
                "need",
                "Un non-recours important aux prestations",
                "Des familles éligibles qui ne font pas valoir leurs droits.",
                "42218",
            ),
            "montreynaud-centre-social": (
                "resource",
                "Un centre social au cœur du quartier",
                "Une équipe familles présente et connue des habitants.",
                "42218",
            ),
        },
        "axes": [
            ("Accompagner les parents dans leur fonction parentale",
             "Des temps d'échange entre parents et des projets familiaux concrets."),
            ("Aller vers les familles pour l'accès aux droits",
             "Des permanences là où vivent les familles."),
        ],
    },
}  # fmt: skip

# --- partner organisations and their contacts ---------------------------------------------------
# Organisations have a key the actions refer to; their natural key is the name. Contacts are
# identified by their e-mail within the organisation.


def _contact(first_name, last_name, category, position, domain):
    """A contact whose address is ``prenom.nom@domain``, without accents."""
    name = unicodedata.normalize("NFKD", f"{first_name}.{last_name}".lower().replace(" ", "-"))
    email = name.encode("ascii", "ignore").decode() + "@" + domain
    return {
        "first_name": first_name,
        "last_name": last_name,
        "category": category,
        "position": position,
        "email": email,
    }


ELECTED, TECHNICIAN, ASSOCIATION, RESIDENT, CAF_STAFF, OTHER = (
    "elected_official",
    "technician",
    "association",
    "resident",
    "caf_staff",
    "other",
)

ORGANISATIONS = {
    "conseil": {
        "name": "Conseil d'administration de la CAF de la Loire", "kind": "caf",
        "territories": list(ALL_TERRITORIES), "email": "conseil@caf42.example",
        "phone": "04 65 71 00 00", "address": "Saint-Étienne",
        "contacts": [
            _contact("Monique", "Vial", OTHER, "Présidente du conseil d'administration",
                     "conseil.caf42.example"),
            _contact("Bernard", "Chazal", OTHER, "Administrateur", "conseil.caf42.example"),
            _contact("Samia", "Haddad", OTHER, "Administratrice", "conseil.caf42.example"),
        ],
    },
    "caf": {
        "name": "CAF de la Loire", "kind": "caf", "territories": list(ALL_TERRITORIES),
        "email": "territoires@caf42.example", "phone": "04 65 71 00 01",
        "address": "Saint-Étienne",
        "contacts": [
            _contact("Hélène", "Bruyère", CAF_STAFF, "Conseillère technique territoriale",
                     "caf42.example"),
            _contact("Mathieu", "Perrin", CAF_STAFF, "Chargé de conseil et développement",
                     "caf42.example"),
        ],
    },
    "departement": {
        "name": "Département de la Loire", "kind": "department",
        "territories": list(ALL_TERRITORIES), "email": "action-sociale@loire42.example",
        "phone": "04 65 71 00 02", "address": "Saint-Étienne",
        "contacts": [
            _contact("Isabelle", "Fayolle", TECHNICIAN,
                     "Responsable territoriale d'action sociale", "loire42.example"),
        ],
    },
    "prefecture": {
        "name": "Préfecture de la Loire - politique de la ville", "kind": "state_service",
        "territories": list(ALL_TERRITORIES), "email": "politique-ville@prefecture42.example",
        "phone": "04 65 71 00 03", "address": "Saint-Étienne",
        "contacts": [
            _contact("Antoine", "Lacroix", TECHNICIAN, "Délégué du préfet",
                     "prefecture42.example"),
        ],
    },
    "loire-habitat": {
        "name": "Loire Habitat", "kind": "housing_provider",
        "territories": list(ALL_TERRITORIES), "email": "concertation@loirehabitat.example",
        "phone": "04 65 71 00 04", "address": "Saint-Étienne",
        "contacts": [
            _contact("Nathalie", "Brosse", TECHNICIAN, "Chargée de concertation locative",
                     "loirehabitat.example"),
        ],
    },
    "lfa": {
        "name": "Loire Forez Agglomération", "kind": "intercommunality", "territories": [FOREZ],
        "email": "enfance-jeunesse@loireforez.example", "phone": "04 65 71 00 05",
        "address": "Montbrison",
        "contacts": [
            _contact("Bruno", "Chapuis", TECHNICIAN, "Chargé de mission enfance-jeunesse",
                     "loireforez.example"),
        ],
    },
    "sem": {
        "name": "Saint-Etienne Métropole", "kind": "intercommunality",
        "territories": [GOP, STETIENNE], "email": "contrat-de-ville@sem.example",
        "phone": "04 65 71 00 06", "address": "Saint-Étienne",
        "contacts": [
            _contact("Laure", "Michalon", TECHNICIAN, "Cheffe de projet contrat de ville",
                     "sem.example"),
        ],
    },
    "roannais-agglo": {
        "name": "Roannais Agglomération", "kind": "intercommunality", "territories": [ROANNAIS],
        "email": "cohesion-sociale@roannais-agglo.example", "phone": "04 65 71 00 07",
        "address": "Roanne",
        "contacts": [
            _contact("Patrick", "Dufour", TECHNICIAN, "Chargé de mission cohésion sociale",
                     "roannais-agglo.example"),
        ],
    },
    "sury": {
        "name": "Commune de Sury-le-Comtal", "kind": "municipality", "territories": [FOREZ],
        "email": "mairie@sury-le-comtal.example", "phone": "04 65 71 00 08",
        "address": "Hôtel de ville, 42450 Sury-le-Comtal",
        "contacts": [
            _contact("Martine", "Granjon", ELECTED,
                     "Adjointe à la vie associative et à la jeunesse", "sury-le-comtal.example"),
        ],
    },
    "montbrison": {
        "name": "Ville de Montbrison", "kind": "municipality", "territories": [FOREZ],
        "email": "solidarites@montbrison.example", "phone": "04 65 71 00 09",
        "address": "Hôtel de ville, 42600 Montbrison",
        "contacts": [
            _contact("Olivier", "Dubreuil", ELECTED, "Adjoint aux solidarités et à la famille",
                     "montbrison.example"),
        ],
    },
    "saint-chamond": {
        "name": "Ville de Saint-Chamond", "kind": "municipality", "territories": [GOP],
        "email": "renouvellement-urbain@saint-chamond.example", "phone": "04 65 71 00 10",
        "address": "Hôtel de ville, 42400 Saint-Chamond",
        "contacts": [
            _contact("Sébastien", "Rolland", TECHNICIAN, "Chef de projet renouvellement urbain",
                     "saint-chamond.example"),
            _contact("Annie", "Vial", ELECTED, "Adjointe à la politique de la ville",
                     "saint-chamond.example"),
        ],
    },
    "firminy": {
        "name": "Ville de Firminy", "kind": "municipality", "territories": [GOP],
        "email": "ccas@firminy.example", "phone": "04 65 71 00 11",
        "address": "Hôtel de ville, 42700 Firminy",
        "contacts": [
            _contact("Farid", "Meziane", TECHNICIAN, "Responsable du centre communal d'action "
                     "sociale", "firminy.example"),
        ],
    },
    "roanne": {
        "name": "Ville de Roanne", "kind": "municipality", "territories": [ROANNAIS],
        "email": "vie-des-quartiers@roanne.example", "phone": "04 65 71 00 12",
        "address": "Hôtel de ville, 42300 Roanne",
        "contacts": [
            _contact("Catherine", "Giraud", ELECTED, "Adjointe à la cohésion sociale",
                     "roanne.example"),
            _contact("Yannick", "Moulin", TECHNICIAN, "Responsable du service vie des quartiers",
                     "roanne.example"),
        ],
    },
    "riorges": {
        "name": "Ville de Riorges", "kind": "municipality", "territories": [ROANNAIS],
        "email": "jeunesse@riorges.example", "phone": "04 65 71 00 13",
        "address": "Hôtel de ville, 42153 Riorges",
        "contacts": [
            _contact("Jérôme", "Lafay", ELECTED, "Adjoint à l'enfance et à la jeunesse",
                     "riorges.example"),
        ],
    },
    "roche-la-moliere": {
        "name": "Ville de Roche-la-Molière", "kind": "municipality", "territories": [STETIENNE],
        "email": "ccas@roche-la-moliere.example", "phone": "04 65 71 00 14",
        "address": "Hôtel de ville, 42230 Roche-la-Molière",
        "contacts": [
            _contact("Sylvie", "Chambon", ELECTED, "Adjointe aux solidarités",
                     "roche-la-moliere.example"),
        ],
    },
    "saint-etienne": {
        "name": "Ville de Saint-Étienne", "kind": "municipality", "territories": [STETIENNE],
        "email": "cohesion-sociale@saint-etienne.example", "phone": "04 65 71 00 15",
        "address": "Hôtel de ville, 42000 Saint-Étienne",
        "contacts": [
            _contact("Thomas", "Gauthier", TECHNICIAN, "Direction de la cohésion sociale",
                     "saint-etienne.example"),
        ],
    },
    "amicale-sury": {
        "name": "Amicale laïque de Sury-le-Comtal", "kind": "association",
        "territories": [FOREZ], "email": "contact@amicale-sury.example",
        "contacts": [
            _contact("Pascale", "Rivollier", ASSOCIATION, "Présidente", "amicale-sury.example"),
        ],
    },
    "sury-loisirs": {
        "name": "Sury Loisirs Jeunesse", "kind": "association", "territories": [FOREZ],
        "email": "bureau@sury-loisirs.example",
        "contacts": [
            _contact("Damien", "Faure", ASSOCIATION, "Trésorier", "sury-loisirs.example"),
        ],
    },
    "cs-saint-julien": {
        "name": "Centre social de Saint-Julien", "kind": "social_centre", "territories": [GOP],
        "email": "accueil@cs-saint-julien.example", "phone": "04 65 71 00 16",
        "contacts": [
            _contact("Rachid", "Benali", TECHNICIAN, "Directeur", "cs-saint-julien.example"),
        ],
    },
    "conseil-citoyen-saint-julien": {
        "name": "Conseil citoyen de Saint-Julien", "kind": "other", "territories": [GOP],
        "email": "conseil-citoyen@saint-julien.example",
        "contacts": [
            _contact("Josiane", "Martinez", RESIDENT, "Habitante, membre du conseil citoyen",
                     "saint-julien.example"),
            _contact("Kevin", "Morel", RESIDENT, "Habitant, membre du conseil citoyen",
                     "saint-julien.example"),
        ],
    },
    "parents-saint-julien": {
        "name": "Association des parents de Saint-Julien", "kind": "association",
        "territories": [GOP], "email": "bureau@parents-saint-julien.example",
        "contacts": [
            _contact("Nadia", "Cherif", ASSOCIATION, "Présidente",
                     "parents-saint-julien.example"),
        ],
    },
    "cs-mulsant": {
        "name": "Centre social de Mulsant", "kind": "social_centre", "territories": [ROANNAIS],
        "email": "accueil@cs-mulsant.example", "phone": "04 65 71 00 17",
        "contacts": [
            _contact("Amélie", "Rousset", TECHNICIAN, "Directrice", "cs-mulsant.example"),
            _contact("Gérard", "Perret", ASSOCIATION, "Président bénévole",
                     "cs-mulsant.example"),
        ],
    },
    "habitants-mulsant": {
        "name": "Collectif des habitants de Mulsant", "kind": "other", "territories": [ROANNAIS],
        "email": "collectif@habitants-mulsant.example",
        "contacts": [
            _contact("Fatima", "Haddad", RESIDENT, "Habitante du quartier",
                     "habitants-mulsant.example"),
        ],
    },
    "anim-ados-riorges": {
        "name": "Riorges Anim'Ados", "kind": "association", "territories": [ROANNAIS],
        "email": "contact@anim-ados-riorges.example",
        "contacts": [
            _contact("Léa", "Fontaine", ASSOCIATION, "Coordinatrice bénévole",
                     "anim-ados-riorges.example"),
        ],
    },
    "epicerie-rlm": {
        "name": "Épicerie sociale La Passerelle", "kind": "association",
        "territories": [STETIENNE], "email": "contact@epicerie-la-passerelle.example",
        "address": "42230 Roche-la-Molière",
        "contacts": [
            _contact("Monique", "Thiollier", ASSOCIATION, "Présidente",
                     "epicerie-la-passerelle.example"),
        ],
    },
    "vacances-familles": {
        "name": "Loisirs Vacances Familles Loire", "kind": "association",
        "territories": [GOP, STETIENNE], "email": "departs@lvf-loire.example",
        "contacts": [
            _contact("Hugo", "Masson", TECHNICIAN, "Chargé de projets départs en vacances",
                     "lvf-loire.example"),
        ],
    },
    "cs-montreynaud": {
        "name": "Centre social de Montreynaud", "kind": "social_centre",
        "territories": [STETIENNE], "email": "accueil@cs-montreynaud.example",
        "phone": "04 65 71 00 18",
        "contacts": [
            _contact("Sandrine", "Odin", TECHNICIAN, "Référente familles",
                     "cs-montreynaud.example"),
        ],
    },
}  # fmt: skip

# --- board sessions -------------------------------------------------------------------------
# A session already held (where the approved actions were decided) and the next one, planned,
# on whose agenda the scheduled actions sit. Natural key: the title.

BOARD_SESSIONS = {
    "previous": {
        "title": "Conseil d'administration - projets de territoire 2026 (1re séance)",
        "days_from_today": -21,
        "state": "held",
        "location": "Siège de la CAF de la Loire, Saint-Étienne - salle du conseil",
    },
    "today": {
        "title": "Conseil d'administration - projets de territoire 2026 (séance du jour)",
        "minutes_from_now": 5,  # its agenda is published: the secretary can hold it today
        "state": "planned",
        "location": "Siège de la CAF de la Loire, Saint-Étienne - salle du conseil",
    },
    "next": {
        "title": "Conseil d'administration - projets de territoire 2026 (séance suivante)",
        "days_from_today": 24,
        "state": "planned",
        "location": "Siège de la CAF de la Loire, Saint-Étienne - salle du conseil",
    },
}
BOARD_SESSION_HOUR = 14
BOARD_MEMBERS = "conseil"  # the organisation whose contacts sit on the board

# The evaluation results already reported for an action in progress (by title).
EVALUATIONS = {
    "Sury-le-Comtal : fédérer la vie associative de l'enfance et de la jeunesse": {
        "indicators": [
            {
                "label": "Associations enfance-jeunesse membres du collectif",
                "baseline": "3",
                "target": "8",
                "unit": "associations",
                "result": "7",
            },
            {
                "label": "Nouveaux habitants engagés comme bénévoles",
                "baseline": "0",
                "target": "15",
                "unit": "bénévoles",
                "result": "11",
            },
        ],
        "report": {
            "participants": 140,
            "residents_involved": "Douze parents arrivés depuis moins de deux ans ont rejoint "
            "les bureaux des associations ; deux co-animent le forum de rentrée.",
            "summary": "Le collectif se réunit chaque mois et a organisé un forum commun.",
            "what_worked": "Le forum des associations à la rentrée, animé par les habitants.",
            "what_to_change": "Prévoir un temps d'accueil des nouveaux habitants au printemps.",
        },
    },
}

# --- actions ----------------------------------------------------------------------------------
# "state" is where the action ends up; the loader gets it there through the real transitions.
# A role's "answer" is the partner's response once the consultation is open (default: accept;
# None: the role stays invited). Days are relative to the day of loading.

TRANSITION_COMMENTS = {
    "submit": "Ouverture de la consultation des partenaires.",
    "complete_consultation": "Tous les partenaires ont accepté leur rôle.",
    "schedule": "Inscription à l'ordre du jour du conseil d'administration.",
    "approve": "Délibération favorable du conseil d'administration.",
    "start": "Lancement de l'action avec les partenaires.",
}

ACTIONS = [
    {
        "territory": FOREZ,
        "title": "Sury-le-Comtal : fédérer la vie associative de l'enfance et de la jeunesse",
        "summary": (
            "La population de Sury-le-Comtal augmente vite tandis que les associations de "
            "loisirs pour les enfants peinent à trouver des bénévoles. L'action réunit "
            "associations, commune et parents dans un collectif qui construit un calendrier "
            "commun d'animations et accueille les familles nouvellement installées."
        ),
        "axis": 1,
        "commune": "42304",
        "neighbourhood": None,
        "findings": ["sury-associations", "sury-nouveaux-habitants", "sury-equipements"],
        "start_in_days": -28,
        "duration_days": 300,
        "budget": "18500.00",
        "state": "in_progress",
        "roles": [
            {"organisation": "sury", "contact": "martine.granjon@sury-le-comtal.example",
             "kind": "pilot",
             "description": "Pilote la démarche : réunit le collectif tous les deux mois, fait "
             "le lien avec les services municipaux et tient le calendrier des animations.",
             "time": "Une élue et la chargée de vie associative, une demi-journée par mois",
             "venue": "Salle polyvalente de Sury-le-Comtal",
             "comment": "La commune s'engage avec plaisir dans cette démarche."},
            {"organisation": "caf", "contact": "helene.bruyere@caf42.example",
             "kind": "co_pilot",
             "description": "Apporte la méthode du développement social local : animation des "
             "réunions, appui à l'écriture d'un projet commun aux associations.",
             "time": "0,2 ETP de travailleuse sociale sur l'année"},
            {"organisation": "caf", "contact": "helene.bruyere@caf42.example",
             "kind": "funder",
             "description": "Finance la coordination du collectif et la journée d'accueil des "
             "nouveaux habitants.", "money": "9000.00"},
            {"organisation": "lfa", "contact": "bruno.chapuis@loireforez.example",
             "kind": "funder",
             "description": "Cofinance la coordination au titre de sa compétence "
             "enfance-jeunesse.", "money": "6000.00"},
            {"organisation": "amicale-sury", "contact": "pascale.rivollier@amicale-sury.example",
             "kind": "contributor",
             "description": "Organise avec les autres associations une journée portes ouvertes "
             "à la rentrée et un parrainage des nouveaux bénévoles.",
             "time": "Trois bénévoles pour préparer la journée"},
            {"organisation": "sury-loisirs", "contact": "damien.faure@sury-loisirs.example",
             "kind": "consulted",
             "description": "Donne son avis sur le calendrier commun et relaie les attentes "
             "des familles adhérentes."},
        ],
    },
    {
        "territory": GOP,
        "title": "Saint-Julien : les habitants acteurs de la réhabilitation de leur quartier",
        "summary": (
            "Le quartier Saint-Julien de Saint-Chamond entre en réhabilitation. L'action "
            "organise des ateliers et des permanences en pied d'immeuble pour que les "
            "habitants donnent leur avis à chaque étape, des plans aux abords, et suivent "
            "la transformation de leur quartier."
        ),
        "axis": 1,
        "commune": "42207",
        "neighbourhood": "Saint-Julien",
        "findings": ["saint-julien-concertation", "saint-julien-conseil-citoyen",
                     "saint-julien-rehabilitation"],
        "consultation_in_days": 9,
        "start_in_days": 45,
        "duration_days": 365,
        "budget": "24000.00",
        "state": "consultation",
        "roles": [
            {"organisation": "saint-chamond", "contact": "sebastien.rolland@saint-chamond.example",
             "kind": "pilot",
             "description": "Pilote le volet participation du projet de réhabilitation : "
             "programme des ateliers, lien avec la maîtrise d'œuvre, restitution des choix.",
             "time": "Le chef de projet, deux jours par mois",
             "comment": "D'accord, nous calerons les ateliers sur le planning du chantier."},
            {"organisation": "caf", "contact": "mathieu.perrin@caf42.example",
             "kind": "co_pilot",
             "description": "Co-anime les ateliers et veille à associer les familles que l'on "
             "entend le moins.", "time": "0,3 ETP de travailleur social"},
            {"organisation": "cs-saint-julien", "contact": "rachid.benali@cs-saint-julien.example",
             "kind": "co_pilot",
             "description": "Accueille et co-anime les ateliers ; tient une permanence "
             "hebdomadaire en pied d'immeuble pendant les travaux.",
             "venue": "Salle d'activités du centre social", "answer": None},
            {"organisation": "loire-habitat", "contact": "nathalie.brosse@loirehabitat.example",
             "kind": "contributor",
             "description": "Présente les plans aux habitants et intègre leurs propositions "
             "sur les halls, les abords et les locaux communs.", "answer": None},
            {"organisation": "sem", "contact": "laure.michalon@sem.example",
             "kind": "funder",
             "description": "Finance l'accompagnement des habitants au titre du contrat de "
             "ville.", "money": "12000.00", "answer": None},
            {"organisation": "conseil-citoyen-saint-julien",
             "contact": "josiane.martinez@saint-julien.example", "kind": "consulted",
             "description": "Relaie les ateliers auprès des voisins et donne son avis à chaque "
             "étape.", "comment": "Nous souhaitons des ateliers en soirée pour ceux qui "
             "travaillent."},
        ],
    },
    {
        "territory": ROANNAIS,
        "title": "Mulsant : des lieux pour se retrouver et tisser des liens",
        "summary": (
            "Les habitants du quartier Mulsant, à Roanne, disent manquer d'occasions de se "
            "rencontrer. Avec eux, l'action repère les lieux qui pourraient rassembler "
            "(locaux vacants, square, salle municipale), en ouvre un premier à l'essai et y "
            "installe des rendez-vous réguliers d'échange et d'entraide."
        ),
        "axis": 1,
        "commune": "42187",
        "neighbourhood": "Mulsant",
        "findings": ["mulsant-isolement", "mulsant-cadre-de-vie", "mulsant-locaux"],
        "start_in_days": 60,
        "duration_days": 270,
        "budget": "21000.00",
        "state": "scheduled",
        "roles": [
            {"organisation": "cs-mulsant", "contact": "amelie.rousset@cs-mulsant.example",
             "kind": "pilot",
             "description": "Pilote le repérage des lieux avec les habitants et coordonne les "
             "partenaires.", "time": "La directrice et une animatrice, un jour par semaine"},
            {"organisation": "caf", "contact": "mathieu.perrin@caf42.example",
             "kind": "funder",
             "description": "Finance l'animation du repérage et l'aménagement d'un premier lieu.",
             "money": "10000.00"},
            {"organisation": "roannais-agglo", "contact": "patrick.dufour@roannais-agglo.example",
             "kind": "funder",
             "description": "Cofinance l'action au titre du contrat de ville.",
             "money": "6000.00"},
            {"organisation": "roanne", "contact": "catherine.giraud@roanne.example",
             "kind": "host",
             "description": "Met à disposition un local municipal et autorise des animations "
             "sur le square.", "venue": "Local municipal en rez-de-chaussée, quartier Mulsant"},
            {"organisation": "loire-habitat", "contact": "nathalie.brosse@loirehabitat.example",
             "kind": "contributor",
             "description": "Recense les locaux vacants en pied d'immeuble et étudie leur prêt."},
            {"organisation": "habitants-mulsant",
             "contact": "fatima.haddad@habitants-mulsant.example", "kind": "consulted",
             "description": "Participe aux marches exploratoires et au choix des lieux."},
            {"organisation": "prefecture", "contact": "antoine.lacroix@prefecture42.example",
             "kind": "consulted",
             "description": "Veille à la cohérence avec le contrat de ville."},
        ],
    },
    {
        "territory": STETIENNE,
        "title": "Roche-la-Molière : partir en vacances en famille et échanger entre parents",
        "summary": (
            "Parties des rencontres à l'épicerie sociale, les familles de Roche-la-Molière "
            "préparent ensemble un premier départ en vacances (budget, aides, choix du "
            "séjour) ; un groupe d'échanges entre parents se réunit ensuite chaque mois."
        ),
        "axis": 1,
        "commune": "42189",
        "neighbourhood": None,
        "findings": ["rlm-vacances", "rlm-parents", "rlm-epicerie"],
        "start_in_days": 35,
        "duration_days": 240,
        "budget": "15500.00",
        "state": "ready_for_board",
        "roles": [
            {"organisation": "roche-la-moliere",
             "contact": "sylvie.chambon@roche-la-moliere.example", "kind": "pilot",
             "description": "Pilote l'action avec le centre communal d'action sociale : "
             "repérage des familles, comité de suivi trimestriel.",
             "time": "Une élue et une conseillère du CCAS"},
            {"organisation": "caf", "contact": "mathieu.perrin@caf42.example",
             "kind": "co_pilot",
             "description": "Accompagne les familles dans la préparation du départ (budget, "
             "aides aux vacances) et co-anime le groupe de parents.",
             "time": "0,2 ETP de travailleur social"},
            {"organisation": "caf", "contact": "mathieu.perrin@caf42.example",
             "kind": "funder",
             "description": "Aides aux vacances des familles et financement des ateliers.",
             "money": "8000.00"},
            {"organisation": "epicerie-rlm",
             "contact": "monique.thiollier@epicerie-la-passerelle.example", "kind": "host",
             "description": "Accueille les réunions d'information et le groupe de parents.",
             "venue": "Local de l'épicerie sociale, un après-midi par mois"},
            {"organisation": "vacances-familles", "contact": "hugo.masson@lvf-loire.example",
             "kind": "contributor",
             "description": "Recherche des séjours adaptés et anime un atelier de préparation "
             "au départ.", "time": "Quatre ateliers de deux heures"},
            {"organisation": "departement", "contact": "isabelle.fayolle@loire42.example",
             "kind": "contributor",
             "description": "Les professionnels de la PMI orientent des familles vers le "
             "groupe de parents."},
        ],
    },
    {
        "territory": FOREZ,
        "title": "Montbrison : un lieu d'accueil enfants-parents itinérant",
        "summary": (
            "Un lieu d'accueil enfants-parents qui se déplace chaque semaine dans un village "
            "différent, pour que les parents de tout-petits des hameaux puissent se retrouver "
            "et parler de leur quotidien avec des accueillants formés."
        ),
        "axis": 3,
        "commune": "42147",
        "neighbourhood": None,
        "findings": ["montbrison-parents", "forez-petite-enfance"],
        "start_in_days": 90,
        "duration_days": 365,
        "budget": "30000.00",
        "state": "draft",
        "roles": [
            {"organisation": "lfa", "contact": "bruno.chapuis@loireforez.example",
             "kind": "pilot",
             "description": "Porte le lieu d'accueil et recrute les accueillants."},
            {"organisation": "caf", "contact": "helene.bruyere@caf42.example",
             "kind": "funder",
             "description": "Finance le fonctionnement au titre de la prestation de service.",
             "money": "15000.00"},
            {"organisation": "montbrison", "contact": "olivier.dubreuil@montbrison.example",
             "kind": "host",
             "description": "Prête une salle de la maison de la petite enfance un matin par "
             "semaine.", "venue": "Maison de la petite enfance de Montbrison"},
        ],
    },
    {
        "territory": GOP,
        "title": "Firminy-Vert : accompagner les familles dans leurs démarches en ligne",
        "summary": (
            "Des permanences hebdomadaires au cœur de Firminy-Vert pour aider les familles "
            "à créer leurs comptes, déclarer leurs ressources et suivre leurs dossiers, et "
            "des ateliers pour gagner en autonomie."
        ),
        "axis": 2,
        "commune": "42095",
        "neighbourhood": "Firminy-Vert",
        "findings": ["gop-numerique", "gop-centres-sociaux"],
        "start_in_days": 20,
        "duration_days": 200,
        "budget": "12000.00",
        "state": "approved",
        "roles": [
            {"organisation": "firminy", "contact": "farid.meziane@firminy.example",
             "kind": "pilot",
             "description": "Organise les permanences au CCAS et coordonne les partenaires.",
             "venue": "Salle d'accueil du CCAS"},
            {"organisation": "caf", "contact": "mathieu.perrin@caf42.example",
             "kind": "funder",
             "description": "Finance un conseiller numérique à mi-temps.", "money": "7000.00"},
            {"organisation": "departement", "contact": "isabelle.fayolle@loire42.example",
             "kind": "contributor",
             "description": "Oriente les familles suivies vers les permanences."},
        ],
    },
    {
        "territory": ROANNAIS,
        "title": "Riorges : des vacances actives pour les 11-14 ans",
        "summary": (
            "Pendant les petites vacances, un programme d'activités de proximité construit "
            "avec les préadolescents : initiations sportives, sorties culturelles et un "
            "projet collectif choisi par le groupe."
        ),
        "axis": 2,
        "commune": "42184",
        "neighbourhood": None,
        "findings": ["riorges-ados", "roannais-associations"],
        "start_in_days": 40,
        "duration_days": 150,
        "budget": "9500.00",
        "state": "scheduled",
        "roles": [
            {"organisation": "riorges", "contact": "jerome.lafay@riorges.example",
             "kind": "pilot",
             "description": "Pilote le programme et met à disposition les équipements sportifs.",
             "venue": "Gymnase municipal"},
            {"organisation": "anim-ados-riorges",
             "contact": "lea.fontaine@anim-ados-riorges.example", "kind": "contributor",
             "description": "Encadre les activités avec deux animateurs diplômés.",
             "time": "Deux animateurs pendant chaque période de vacances"},
            {"organisation": "caf", "contact": "helene.bruyere@caf42.example",
             "kind": "funder",
             "description": "Finance l'encadrement au titre de l'accueil de jeunes.",
             "money": "4500.00"},
            {"organisation": "roannais-agglo", "contact": "patrick.dufour@roannais-agglo.example",
             "kind": "consulted",
             "description": "Donne son avis sur les transports vers les sorties."},
        ],
    },
    {
        "territory": STETIENNE,
        "title": "Montreynaud : des permanences d'accès aux droits au pied des immeubles",
        "summary": (
            "Aller vers les familles de Montreynaud qui ne demandent pas leurs prestations : "
            "permanences au centre social et dans une salle du quartier, avec les services "
            "de la CAF et du Département."
        ),
        "axis": 2,
        "commune": "42218",
        "neighbourhood": "Montreynaud",
        "findings": ["montreynaud-non-recours", "montreynaud-centre-social"],
        "consultation_in_days": 6,
        "start_in_days": 50,
        "duration_days": 300,
        "budget": "11000.00",
        "state": "consultation",
        "roles": [
            {"organisation": "cs-montreynaud", "contact": "sandrine.odin@cs-montreynaud.example",
             "kind": "pilot",
             "description": "Pilote les permanences et mobilise les habitants relais.",
             "venue": "Accueil du centre social"},
            {"organisation": "caf", "contact": "mathieu.perrin@caf42.example",
             "kind": "co_pilot",
             "description": "Assure une permanence par semaine avec un conseiller de la CAF.",
             "time": "Une demi-journée par semaine"},
            {"organisation": "departement", "contact": "isabelle.fayolle@loire42.example",
             "kind": "contributor",
             "description": "Assure une permanence hebdomadaire d'une assistante sociale.",
             "answer": "request_changes",
             "comment": "Nous pouvons tenir une permanence par mois, pas par semaine : "
             "merci d'ajuster l'engagement."},
            {"organisation": "saint-etienne", "contact": "thomas.gauthier@saint-etienne.example",
             "kind": "host",
             "description": "Prête une salle municipale du quartier pour les permanences.",
             "venue": "Salle municipale de Montreynaud", "answer": None},
        ],
    },
]  # fmt: skip
