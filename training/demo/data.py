"""The static tables of the demo programme: organisations, curricula, trainers,
names, ranks and the calendar of past sessions. Every person here is
invented; `training.demo` turns these tables into rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from training.curricula.models import CurriculumOwner, CurriculumStatus, Theme
from training.people.models import OrganisationKind, Sex

COUNTRIES = ("BF", "TD", "ML", "MR", "NE")

# Kinds of national organisation a demo participant can come from, with how
# often they appear among the nominees.
PARTICIPANT_KIND_WEIGHTS: dict[OrganisationKind, int] = {
    OrganisationKind.POLICE: 30,
    OrganisationKind.GENDARMERIE: 22,
    OrganisationKind.NATIONAL_GUARD: 12,
    OrganisationKind.CUSTOMS: 12,
    OrganisationKind.JUDICIARY: 12,
    OrganisationKind.PROSECUTION: 12,
}

SECURITY_FORCE_KINDS = frozenset(
    {
        OrganisationKind.POLICE,
        OrganisationKind.GENDARMERIE,
        OrganisationKind.NATIONAL_GUARD,
        OrganisationKind.CUSTOMS,
        OrganisationKind.PRISON_ADMINISTRATION,
    }
)


@dataclass(frozen=True)
class OrganisationRow:
    key: str
    name: str
    acronym: str | None
    country: str | None
    kind: OrganisationKind
    active_from: date | None = None
    active_until: date | None = None


def _national(
    country: str, rows: list[tuple[OrganisationKind, str, str | None]]
) -> list[OrganisationRow]:
    return [
        OrganisationRow(f"{country}-{kind.value}", name, acronym, country, kind)
        for kind, name, acronym in rows
    ]


K = OrganisationKind

# Burkina Faso has no national guard: its prison guard corps stands in the
# sixth place; the demo's nominees never come from it.
ORGANISATIONS: list[OrganisationRow] = [
    *_national(
        "BF",
        [
            (K.POLICE, "Police nationale du Burkina Faso", "PN"),
            (K.GENDARMERIE, "Gendarmerie nationale", "GN"),
            (K.PRISON_ADMINISTRATION, "Garde de sécurité pénitentiaire", "GSP"),
            (K.CUSTOMS, "Direction générale des douanes", "DGD"),
            (
                K.JUDICIARY,
                "Pôle judiciaire spécialisé dans la répression des actes de terrorisme",
                "PJS",
            ),
            (K.PROSECUTION, "Parquet du Tribunal de grande instance Ouaga I", "TGI Ouaga I"),
        ],
    ),
    *_national(
        "TD",
        [
            (K.POLICE, "Police nationale tchadienne", "PNT"),
            (K.GENDARMERIE, "Gendarmerie nationale", "GN"),
            (K.NATIONAL_GUARD, "Garde nationale et nomade du Tchad", "GNNT"),
            (K.CUSTOMS, "Direction générale des douanes et droits indirects", "DGDDI"),
            (
                K.JUDICIARY,
                "Pôle judiciaire spécialisé en matière de lutte contre le terrorisme",
                "PJS",
            ),
            (K.PROSECUTION, "Parquet du Tribunal de grande instance de N'Djamena", "TGI NDJ"),
        ],
    ),
    *_national(
        "ML",
        [
            (K.POLICE, "Police nationale du Mali", "PN"),
            (K.GENDARMERIE, "Gendarmerie nationale", "GN"),
            (K.NATIONAL_GUARD, "Garde nationale du Mali", "GNM"),
            (K.CUSTOMS, "Direction générale des douanes", "DGD"),
            (
                K.JUDICIARY,
                "Pôle judiciaire spécialisé en matière de lutte contre le terrorisme "
                "et la criminalité transnationale organisée",
                "PJS",
            ),
            (
                K.PROSECUTION,
                "Parquet du Tribunal de grande instance de la Commune VI de Bamako",
                "TGI CVI",
            ),
        ],
    ),
    *_national(
        "MR",
        [
            (K.POLICE, "Direction générale de la Sûreté nationale", "DGSN"),
            (K.GENDARMERIE, "Gendarmerie nationale", "GN"),
            (K.NATIONAL_GUARD, "Garde nationale", "GN"),
            (K.CUSTOMS, "Direction générale des douanes", "DGD"),
            (
                K.JUDICIARY,
                "Pôle judiciaire spécialisé en matière de lutte contre le terrorisme",
                "PJS",
            ),
            (K.PROSECUTION, "Parquet de la République près le Tribunal de Nouakchott-Ouest", None),
        ],
    ),
    *_national(
        "NE",
        [
            (K.POLICE, "Police nationale du Niger", "PN"),
            (K.GENDARMERIE, "Gendarmerie nationale", "GN"),
            (K.NATIONAL_GUARD, "Garde nationale du Niger", "GNN"),
            (K.CUSTOMS, "Direction générale des douanes", "DGD"),
            (
                K.JUDICIARY,
                "Pôle judiciaire spécialisé en matière de lutte contre le terrorisme "
                "et la criminalité transnationale organisée",
                "PJS",
            ),
            (
                K.PROSECUTION,
                "Parquet du Tribunal de grande instance hors classe de Niamey",
                "TGI HC",
            ),
        ],
    ),
    OrganisationRow(
        "UNODC", "United Nations Office on Drugs and Crime", "UNODC", None, K.UN_ENTITY
    ),
    OrganisationRow(
        "DPO", "United Nations Department of Peace Operations", "DPO", None, K.UN_ENTITY
    ),
    OrganisationRow(
        "MINUSMA",
        "United Nations Multidimensional Integrated Stabilization Mission in Mali",
        "MINUSMA",
        "ML",
        K.UN_ENTITY,
        date(2013, 7, 1),
        date(2023, 12, 31),
    ),
    OrganisationRow(
        "G5",
        "Secrétariat permanent du G5 Sahel",
        "SP/G5S",
        None,
        K.REGIONAL_ORGANISATION,
        date(2014, 12, 19),
        date(2023, 12, 6),
    ),
    OrganisationRow("EU", "European Union", "EU", None, K.DONOR),
    OrganisationRow("NL", "Kingdom of the Netherlands", None, "NL", K.DONOR),
]


@dataclass(frozen=True)
class ModuleRow:
    title_en: str
    title_fr: str
    aim: str
    learning_outcomes: str
    duration_minutes: int


@dataclass(frozen=True)
class CurriculumRow:
    code: str
    title_en: str
    title_fr: str
    description: str
    theme: Theme
    owner: CurriculumOwner
    version: str
    status: CurriculumStatus
    min_attendance_percent: int
    pass_mark_percent: int | None
    certificate_validity_months: int | None
    # Kinds of organisation the course is meant for.
    audience: tuple[OrganisationKind, ...]
    modules: tuple[ModuleRow, ...]


APPROVED = CurriculumStatus.APPROVED

CURRICULA: list[CurriculumRow] = [
    CurriculumRow(
        "CT-INV-01",
        "Investigation and prosecution of terrorism cases",
        "Enquêtes et poursuites dans les affaires de terrorisme",
        "A joint course for investigators and prosecutors: building a terrorism case that "
        "holds in court, in line with the rule of law.",
        Theme.COUNTER_TERRORISM,
        CurriculumOwner.JOINT,
        "2.1",
        APPROVED,
        80,
        60,
        None,
        (K.POLICE, K.GENDARMERIE, K.NATIONAL_GUARD, K.PROSECUTION, K.JUDICIARY),
        (
            ModuleRow(
                "International and regional legal framework against terrorism",
                "Cadre juridique international et régional de lutte contre le terrorisme",
                "Place national counter-terrorism law within the universal instruments, the "
                "Security Council resolutions and regional commitments.",
                "Name the offences of the universal instruments; relate them to the national "
                "penal code; explain the duty to prosecute or extradite.",
                180,
            ),
            ModuleRow(
                "Terrorism offences in national law: elements and proof",
                "Les infractions terroristes en droit national : éléments constitutifs et preuve",
                "Analyse each element a prosecutor must prove for the main terrorism offences.",
                "Draft the statement of offence for a case; list the evidence each element needs.",
                180,
            ),
            ModuleRow(
                "Investigative techniques and the rule of law",
                "Techniques d'enquête et État de droit",
                "Use special investigative techniques lawfully: interception, undercover "
                "operations, custody limits and the rights of suspects.",
                "Plan an interview that respects the suspect's rights; check custody time limits "
                "and the authorisations a technique requires.",
                240,
            ),
            ModuleRow(
                "Cooperation between investigators and prosecutors",
                "Coopération entre enquêteurs et magistrats du parquet",
                "Make the investigator–prosecutor relationship work from the first report.",
                "Agree a case strategy; keep the prosecutor informed at each decision point.",
                180,
            ),
            ModuleRow(
                "Information from military operations used as evidence",
                "Exploitation en justice des informations issues des opérations militaires",
                "Turn material collected by the defence forces into admissible evidence.",
                "Set up a handover procedure that preserves the chain of custody; assess the "
                "admissibility of battlefield material.",
                180,
            ),
            ModuleRow(
                "International cooperation in criminal matters",
                "Coopération internationale en matière pénale",
                "Use mutual legal assistance, extradition, joint investigation teams and police "
                "channels such as INTERPOL and WAPIS.",
                "Draft a mutual legal assistance request; choose the right channel for urgent "
                "police information.",
                180,
            ),
            ModuleRow(
                "Moot case: from arrest to trial",
                "Cas pratique : de l'interpellation au procès",
                "Rehearse a complete terrorism case, from the first arrest to the hearing.",
                "Present a case file to a mock chamber and answer the defence's objections.",
                300,
            ),
        ),
    ),
    CurriculumRow(
        "CT-CSM-01",
        "Crime-scene management and forensic evidence",
        "Gestion des scènes de crime et preuve scientifique",
        "First responders and investigators learn to protect, document and exploit a crime "
        "scene, including after an explosion.",
        Theme.COUNTER_TERRORISM,
        CurriculumOwner.UNODC,
        "1.3",
        APPROVED,
        80,
        70,
        36,
        (K.POLICE, K.GENDARMERIE),
        (
            ModuleRow(
                "First responder duties and securing the scene",
                "Rôle du premier intervenant et sécurisation de la scène",
                "Protect life first, then the scene and its evidence.",
                "Set up cordons and a single access path; keep the scene log.",
                180,
            ),
            ModuleRow(
                "Documenting the scene: notes, sketches, photographs",
                "Documentation de la scène : notes, croquis, photographies",
                "Record the scene completely before anything is moved.",
                "Produce a measured sketch and a photographic series that a court can follow.",
                180,
            ),
            ModuleRow(
                "Collecting and packaging physical evidence",
                "Prélèvement et conditionnement des indices matériels",
                "Collect biological, trace and ballistic evidence without contaminating it.",
                "Choose the right packaging for each kind of evidence; seal and label it.",
                240,
            ),
            ModuleRow(
                "Chain of custody",
                "Chaîne de traçabilité des scellés",
                "Show who held each item of evidence, when, and why.",
                "Fill in a chain-of-custody form; spot a break in the chain.",
                120,
            ),
            ModuleRow(
                "Post-blast scenes and improvised explosive devices",
                "Scènes post-explosion et engins explosifs improvisés",
                "Work a post-blast scene safely, alongside explosive ordnance disposal teams.",
                "Define the search area; recover device components for analysis.",
                240,
            ),
            ModuleRow(
                "Digital evidence at the scene",
                "Preuve numérique sur la scène de crime",
                "Seize phones and computers so that their content stays usable.",
                "Isolate a device from the network; record its state at seizure.",
                180,
            ),
            ModuleRow(
                "Practical exercise on a simulated scene",
                "Exercice pratique sur une scène simulée",
                "Apply the whole method on a staged scene, in teams.",
                "Process a scene from arrival to the handover of sealed evidence.",
                300,
            ),
        ),
    ),
    CurriculumRow(
        "TIP-MAG-01",
        "Trafficking in persons and smuggling of migrants: a course for magistrates",
        "Traite des personnes et trafic illicite de migrants : formation des magistrats",
        "Judges and prosecutors learn to qualify, investigate and try trafficking and "
        "smuggling cases while protecting victims.",
        Theme.TRAFFICKING_AND_SMUGGLING,
        CurriculumOwner.UNODC,
        "1.0",
        APPROVED,
        80,
        60,
        None,
        (K.JUDICIARY, K.PROSECUTION),
        (
            ModuleRow(
                "Trafficking in persons and smuggling of migrants: telling them apart",
                "Distinguer la traite des personnes du trafic illicite de migrants",
                "Qualify the facts correctly: exploitation versus facilitated crossing.",
                "Apply the elements of each offence to five case scenarios.",
                180,
            ),
            ModuleRow(
                "The Palermo Protocols and national legislation",
                "Les Protocoles de Palerme et la législation nationale",
                "Read national law in the light of the Protocols it implements.",
                "Identify gaps between national law and the Protocols.",
                180,
            ),
            ModuleRow(
                "Identifying and protecting victims and witnesses",
                "Identification et protection des victimes et des témoins",
                "Treat victims as victims, not offenders, and keep witnesses safe.",
                "Apply the non-punishment principle; order protective measures.",
                180,
            ),
            ModuleRow(
                "Financial investigation and confiscation of proceeds",
                "Enquête financière et confiscation des produits du crime",
                "Follow the money of trafficking and smuggling networks.",
                "Order a parallel financial investigation; request confiscation.",
                120,
            ),
            ModuleRow(
                "Judicial cooperation along the migration routes",
                "Coopération judiciaire le long des routes migratoires",
                "Work with the magistrates of transit and destination countries.",
                "Prepare a request for judicial cooperation with a neighbouring country.",
                120,
            ),
            ModuleRow(
                "Case law and sentencing",
                "Jurisprudence et détermination de la peine",
                "Learn from decided cases in the region.",
                "Reason a sentence with its aggravating circumstances.",
                180,
            ),
        ),
    ),
    CurriculumRow(
        "FA-TRF-01",
        "Countering firearms trafficking",
        "Lutte contre le trafic d'armes à feu",
        "Border, customs and police officers learn to detect, seize, trace and investigate "
        "illicit firearms.",
        Theme.FIREARMS,
        CurriculumOwner.UNODC,
        "1.1",
        APPROVED,
        75,
        60,
        None,
        (K.CUSTOMS, K.POLICE, K.GENDARMERIE, K.NATIONAL_GUARD),
        (
            ModuleRow(
                "The Firearms Protocol and the ECOWAS Convention on small arms",
                "Le Protocole relatif aux armes à feu et la Convention de la CEDEAO sur les "
                "armes légères",
                "Know the obligations the state has accepted on firearms control.",
                "List the offences the Protocol requires; relate them to national law.",
                180,
            ),
            ModuleRow(
                "Identification of firearms, parts and ammunition",
                "Identification des armes à feu, de leurs pièces et munitions",
                "Recognise a firearm's type, make, model and markings.",
                "Describe a seized weapon completely enough to trace it.",
                240,
            ),
            ModuleRow(
                "Marking, record-keeping and tracing",
                "Marquage, enregistrement et traçage",
                "Use registers and international tracing requests.",
                "Submit a tracing request; read the answer.",
                180,
            ),
            ModuleRow(
                "Detection at border crossings",
                "Détection aux points de passage frontaliers",
                "Target vehicles and cargo at risk and search them safely.",
                "Apply risk indicators to a convoy; conduct a search.",
                240,
            ),
            ModuleRow(
                "Investigating trafficking networks",
                "Enquêtes sur les réseaux de trafic",
                "Go from a seizure to the network behind it.",
                "Exploit a seizure: phones, routes, suppliers and buyers.",
                180,
            ),
            ModuleRow(
                "Exercise: a seizure at a land border post",
                "Exercice : saisie à un poste frontière terrestre",
                "Handle a seizure from detection to the prosecutor's file.",
                "Complete the seizure report and the tracing request for the exercise.",
                240,
            ),
        ),
    ),
    CurriculumRow(
        "HR-G5-01",
        "Human rights compliance framework for the G5 Sahel joint force police component",
        "Cadre de conformité aux droits de l'homme pour la composante police de la Force "
        "conjointe du G5 Sahel",
        "The rules that bind the police component of the joint force: arrest, detention, use "
        "of force, protection of civilians and accountability.",
        Theme.HUMAN_RIGHTS_COMPLIANCE,
        CurriculumOwner.DPO,
        "2.0",
        APPROVED,
        80,
        None,
        24,
        (K.POLICE, K.GENDARMERIE, K.NATIONAL_GUARD),
        (
            ModuleRow(
                "The compliance framework and the HRDDP",
                "Le cadre de conformité et la politique de diligence voulue en matière de "
                "droits de l'homme (HRDDP)",
                "Understand why UN support depends on respect for human rights.",
                "Explain the compliance framework's pillars and what the HRDDP requires.",
                120,
            ),
            ModuleRow(
                "Arrest, detention and handover of suspects",
                "Arrestation, détention et remise des suspects",
                "Arrest and hand over suspects in line with the law.",
                "Fill in an arrest record; hand a suspect over to the judicial authority in time.",
                180,
            ),
            ModuleRow(
                "Use of force and firearms by law enforcement officials",
                "Usage de la force et des armes à feu par les responsables de l'application "
                "des lois",
                "Apply necessity, proportionality and precaution.",
                "Choose the lawful response in six use-of-force scenarios.",
                180,
            ),
            ModuleRow(
                "Protection of civilians, children and conflict-related sexual violence",
                "Protection des civils, des enfants et violences sexuelles liées aux conflits",
                "Protect those most at risk during operations.",
                "Apply the procedures for children associated with armed groups and for "
                "survivors of sexual violence.",
                180,
            ),
            ModuleRow(
                "Provost duties: the police component within the joint force",
                "Prévôté : la composante police au sein de la Force conjointe",
                "Know the role of provost teams alongside the military units.",
                "Describe the provost's duties before, during and after an operation.",
                120,
            ),
            ModuleRow(
                "Reporting violations and accountability",
                "Signalement des violations et redevabilité",
                "Report an allegation and follow it up.",
                "Complete an incident report; name the bodies that investigate it.",
                120,
            ),
        ),
    ),
    CurriculumRow(
        "AC-ML-01",
        "Anti-corruption and money-laundering investigations",
        "Enquêtes en matière de corruption et de blanchiment de capitaux",
        "Investigators, customs officers and magistrates learn to trace, freeze and confiscate "
        "the proceeds of corruption.",
        Theme.CORRUPTION_AND_MONEY_LAUNDERING,
        CurriculumOwner.UNODC,
        "1.2",
        APPROVED,
        80,
        60,
        None,
        (K.POLICE, K.CUSTOMS, K.PROSECUTION, K.JUDICIARY, K.GENDARMERIE),
        (
            ModuleRow(
                "UNCAC and the national anti-corruption framework",
                "La CNUCC et le cadre national de lutte contre la corruption",
                "Situate national institutions within the UN Convention against Corruption.",
                "Name the corruption offences and the authorities competent for each.",
                180,
            ),
            ModuleRow(
                "Financial intelligence: working with the financial intelligence unit",
                "Renseignement financier : travailler avec la CENTIF",
                "Use suspicious transaction reports and FIU analysis in an investigation.",
                "Request information from the FIU; read a financial analysis report.",
                120,
            ),
            ModuleRow(
                "Tracing assets: bank records and open sources",
                "Dépistage des avoirs : relevés bancaires et sources ouvertes",
                "Reconstruct a suspect's assets and money flows.",
                "Analyse bank statements; build a net-worth analysis.",
                240,
            ),
            ModuleRow(
                "Cash couriers and informal value transfer",
                "Passeurs de fonds et transferts informels (hawala)",
                "Detect cash smuggling and informal transfer systems.",
                "Apply the declaration rules at borders; map a hawala network.",
                180,
            ),
            ModuleRow(
                "Freezing, seizure and confiscation",
                "Gel, saisie et confiscation",
                "Secure the assets early and keep them until judgment.",
                "Draft a freezing order; plan the management of seized assets.",
                180,
            ),
            ModuleRow(
                "Building the case file for trial",
                "Constitution du dossier pour l'audience",
                "Present complex financial evidence clearly.",
                "Prepare a case summary and charts a court can follow.",
                180,
            ),
            ModuleRow(
                "Case study: a public procurement fraud",
                "Étude de cas : fraude aux marchés publics",
                "Investigate a procurement fraud from the first report to the indictment.",
                "Deliver the indictment for the case study in teams.",
                240,
            ),
        ),
    ),
    CurriculumRow(
        "DRG-INT-01",
        "Drug interdiction at airports and land borders",
        "Interdiction des drogues aux aéroports et aux frontières terrestres",
        "Draft under review with the Airport Communication Project partners.",
        Theme.DRUGS,
        CurriculumOwner.UNODC,
        "0.3",
        CurriculumStatus.DRAFT,
        80,
        60,
        None,
        (K.CUSTOMS, K.POLICE, K.GENDARMERIE),
        (
            ModuleRow(
                "Drug trafficking trends across the Sahel",
                "Tendances du trafic de drogues à travers le Sahel",
                "Know the routes, products and methods seen in the region.",
                "Describe the main routes for cocaine, cannabis resin and tramadol.",
                120,
            ),
            ModuleRow(
                "Profiling passengers and cargo",
                "Ciblage des passagers et du fret",
                "Select passengers and consignments at risk.",
                "Apply risk indicators to a flight manifest.",
                180,
            ),
            ModuleRow(
                "Field drug testing and safe handling",
                "Tests de terrain et manipulation sécurisée des drogues",
                "Test and handle suspected drugs without risk.",
                "Run a field test; package a sample for the laboratory.",
                180,
            ),
            ModuleRow(
                "Controlled deliveries",
                "Livraisons surveillées",
                "Let a consignment run to identify the organisers.",
                "Plan a controlled delivery with a neighbouring country.",
                120,
            ),
        ),
    ),
    CurriculumRow(
        "PK-POC-01",
        "Protection of civilians for formed police units",
        "Protection des civils à l'intention des unités de police constituées",
        "Replaced by the DPO's revised protection of civilians materials.",
        Theme.PEACEKEEPING,
        CurriculumOwner.DPO,
        "1.0",
        CurriculumStatus.RETIRED,
        80,
        None,
        None,
        (K.POLICE, K.GENDARMERIE),
        (
            ModuleRow(
                "The protection of civilians mandate",
                "Le mandat de protection des civils",
                "Understand what the mandate asks of a formed police unit.",
                "Explain the three tiers of protection.",
                120,
            ),
            ModuleRow(
                "Threat assessment and early warning",
                "Évaluation des menaces et alerte précoce",
                "Recognise the signs of an imminent threat to civilians.",
                "Use an early-warning matrix.",
                180,
            ),
            ModuleRow(
                "Public order management in a mission setting",
                "Maintien de l'ordre public en contexte de mission",
                "Manage crowds with graduated force.",
                "Plan a public order operation.",
                180,
            ),
            ModuleRow(
                "Tabletop exercise",
                "Exercice sur table",
                "Apply the mandate to a deteriorating situation.",
                "Decide and justify the unit's actions at each inject.",
                180,
            ),
        ),
    ),
]


@dataclass(frozen=True)
class TrainerRow:
    key: str
    name: str
    organisation: str  # OrganisationRow.key
    languages: str
    email: str | None
    # (curriculum code, qualified on, expires on)
    qualifications: tuple[tuple[str, date, date | None], ...]


# The national trainers qualified by the 2020 training of trainers are added
# by `training.demo` from that session's graduates.
TRAINERS: list[TrainerRow] = [
    TrainerRow(
        "sidibe",
        "Boubacar Sidibé",
        "UNODC",
        "fr,en",
        "trainer@example.org",
        (("CT-INV-01", date(2016, 9, 5), None), ("AC-ML-01", date(2017, 3, 13), None)),
    ),
    TrainerRow(
        "fontaine",
        "Claire Fontaine",
        "UNODC",
        "fr,en",
        "claire.fontaine@example.org",
        (("CT-CSM-01", date(2016, 5, 2), None), ("FA-TRF-01", date(2017, 1, 16), None)),
    ),
    TrainerRow(
        "cisse",
        "Oumar Cissé",
        "UNODC",
        "fr,en,ar",
        "oumar.cisse@example.org",
        (
            ("FA-TRF-01", date(2017, 6, 12), None),
            ("CT-CSM-01", date(2018, 1, 8), None),
            ("CT-INV-01", date(2018, 1, 8), None),
        ),
    ),
    TrainerRow(
        "rochat",
        "Hélène Rochat",
        "UNODC",
        "fr,en",
        "helene.rochat@example.org",
        (("TIP-MAG-01", date(2016, 11, 7), None), ("AC-ML-01", date(2018, 2, 5), None)),
    ),
    TrainerRow(
        "mint-cheikh",
        "Aminetou Mint Cheikh",
        "MR-prosecution",
        "fr,ar",
        None,
        (("TIP-MAG-01", date(2017, 10, 2), None), ("CT-INV-01", date(2019, 1, 14), None)),
    ),
    TrainerRow(
        "zongo",
        "Jean-Baptiste Zongo",
        "DPO",
        "fr,en",
        "jb.zongo@example.org",
        (("HR-G5-01", date(2017, 11, 20), None),),
    ),
    TrainerRow(
        "whitfield",
        "Sarah Whitfield",
        "DPO",
        "en,fr",
        "sarah.whitfield@example.org",
        (("HR-G5-01", date(2017, 11, 20), date(2024, 6, 30)),),
    ),
    TrainerRow(
        "sangare",
        "Kadiatou Sangaré",
        "DPO",
        "fr,en",
        "kadiatou.sangare@example.org",
        (("HR-G5-01", date(2022, 1, 10), None),),
    ),
    TrainerRow(
        "berger",
        "Thomas Berger",
        "UNODC",
        "en,fr",
        "thomas.berger@example.org",
        (("AC-ML-01", date(2019, 5, 6), None), ("FA-TRF-01", date(2019, 5, 6), date(2025, 5, 5))),
    ),
]


@dataclass(frozen=True)
class SessionRow:
    curriculum: str
    kind: str  # SessionKind value
    start: date
    end: date
    city: str
    venue: str
    language: str
    capacity: int
    partners: tuple[str, ...]
    trainers: tuple[str, ...]  # trainer keys, lead first
    screening_required: bool = True
    cancelled: bool = False


CITY_COUNTRY = {
    "Ouagadougou": "BF",
    "N'Djamena": "TD",
    "Bamako": "ML",
    "Nouakchott": "MR",
    "Niamey": "NE",
}

# Trainer keys "tot-NE", "tot-BF", "tot-TD" name the national trainers that
# the 2020 training of trainers qualified.
PAST_SESSIONS: list[SessionRow] = [
    SessionRow(
        "CT-INV-01",
        "training",
        date(2018, 4, 16),
        date(2018, 4, 20),
        "Niamey",
        "École nationale de police",
        "fr",
        25,
        ("EU",),
        ("sidibe", "cisse"),
    ),
    SessionRow(
        "HR-G5-01",
        "training",
        date(2018, 10, 8),
        date(2018, 10, 11),
        "Bamako",
        "École de maintien de la paix Alioune Blondin Beye",
        "fr",
        30,
        ("MINUSMA", "G5"),
        ("zongo", "whitfield"),
    ),
    SessionRow(
        "CT-CSM-01",
        "training",
        date(2019, 3, 11),
        date(2019, 3, 15),
        "Ouagadougou",
        "École nationale de police",
        "fr",
        24,
        ("EU",),
        ("fontaine", "cisse"),
    ),
    SessionRow(
        "TIP-MAG-01",
        "training",
        date(2019, 6, 24),
        date(2019, 6, 27),
        "N'Djamena",
        "Hôtel Kempinski",
        "fr",
        20,
        ("EU", "NL"),
        ("rochat", "mint-cheikh"),
        screening_required=False,
    ),
    SessionRow(
        "FA-TRF-01",
        "training",
        date(2019, 11, 18),
        date(2019, 11, 22),
        "Nouakchott",
        "Hôtel Azalaï Marhaba",
        "fr",
        25,
        ("G5",),
        ("cisse", "fontaine"),
    ),
    SessionRow(
        "CT-INV-01",
        "training_of_trainers",
        date(2020, 2, 10),
        date(2020, 2, 14),
        "Niamey",
        "Hôtel Radisson Blu",
        "fr",
        20,
        ("EU", "G5"),
        ("sidibe", "mint-cheikh"),
    ),
    SessionRow(
        "AC-ML-01",
        "training",
        date(2021, 11, 22),
        date(2021, 11, 26),
        "Bamako",
        "Hôtel Radisson Blu",
        "fr",
        25,
        ("EU", "MINUSMA"),
        ("sidibe", "rochat"),
    ),
    SessionRow(
        "HR-G5-01",
        "training",
        date(2022, 5, 16),
        date(2022, 5, 19),
        "Ouagadougou",
        "Hôtel Azalaï Indépendance",
        "en",
        30,
        ("G5",),
        ("whitfield", "zongo"),
    ),
    SessionRow(
        "CT-INV-01",
        "training",
        date(2022, 9, 12),
        date(2022, 9, 16),
        "N'Djamena",
        "École nationale de police",
        "fr",
        25,
        ("EU",),
        ("sidibe", "tot-TD"),
    ),
    SessionRow(
        "FA-TRF-01",
        "training",
        date(2023, 3, 6),
        date(2023, 3, 10),
        "Niamey",
        "École nationale de police",
        "en",
        20,
        ("G5", "EU"),
        ("berger", "cisse"),
    ),
    SessionRow(
        "TIP-MAG-01",
        "training",
        date(2023, 6, 12),
        date(2023, 6, 15),
        "Nouakchott",
        "École nationale d'administration, de journalisme et de magistrature",
        "fr",
        22,
        ("NL",),
        ("mint-cheikh", "rochat"),
        screening_required=False,
    ),
    # Cancelled after the events of July 2023 in Niamey.
    SessionRow(
        "AC-ML-01",
        "training",
        date(2023, 8, 21),
        date(2023, 8, 25),
        "Niamey",
        "Hôtel Radisson Blu",
        "fr",
        25,
        ("EU",),
        (),
        cancelled=True,
    ),
    SessionRow(
        "CT-CSM-01",
        "training",
        date(2023, 10, 9),
        date(2023, 10, 13),
        "Bamako",
        "École de maintien de la paix Alioune Blondin Beye",
        "fr",
        24,
        ("MINUSMA",),
        ("fontaine", "cisse"),
    ),
]


@dataclass(frozen=True)
class UpcomingRow:
    """A session of the current cycle, placed relative to today."""

    curriculum: str
    starts_in_days: int
    days: int
    city: str
    venue: str
    language: str
    capacity: int
    status: str  # SessionStatus value
    partners: tuple[str, ...]
    trainers: tuple[str, ...]
    confirmed: int
    nominated: int
    waitlisted: int
    screening_required: bool = True


# The first row is the session in progress today; the others start on the
# Monday on or after `starts_in_days`.
CURRENT_CYCLE: list[UpcomingRow] = [
    UpcomingRow(
        "CT-INV-01",
        -1,
        4,
        "Niamey",
        "École nationale de police",
        "fr",
        24,
        "in_progress",
        ("EU",),
        ("sidibe", "tot-NE"),
        24,
        1,
        2,
    ),
    UpcomingRow(
        "TIP-MAG-01",
        21,
        4,
        "Nouakchott",
        "École nationale d'administration, de journalisme et de magistrature",
        "fr",
        20,
        "open",
        ("NL",),
        ("rochat", "mint-cheikh"),
        20,
        3,
        2,
        screening_required=False,
    ),
    UpcomingRow(
        "AC-ML-01",
        42,
        5,
        "Ouagadougou",
        "Hôtel Azalaï Indépendance",
        "fr",
        22,
        "open",
        ("EU",),
        ("sidibe", "berger"),
        22,
        4,
        1,
    ),
    UpcomingRow(
        "HR-G5-01",
        70,
        4,
        "N'Djamena",
        "Hôtel Kempinski",
        "en",
        30,
        "planned",
        ("EU", "NL"),
        ("zongo", "sangare"),
        8,
        10,
        0,
    ),
    UpcomingRow(
        "FA-TRF-01",
        98,
        5,
        "Bamako",
        "École de maintien de la paix Alioune Blondin Beye",
        "fr",
        25,
        "planned",
        ("EU",),
        ("fontaine", "cisse"),
        0,
        6,
        0,
    ),
]

SESSION_TAGS = {
    "CT-INV-01": "CT",
    "CT-CSM-01": "CSM",
    "TIP-MAG-01": "TIP",
    "FA-TRF-01": "FA",
    "HR-G5-01": "HR",
    "AC-ML-01": "AC",
}

# The participant behind participant@example.org, and the three national
# trainers qualified by the 2020 training of trainers.
DEMO_PARTICIPANT = (
    "Fatimata",
    "Ouédraogo",
    Sex.FEMALE,
    "BF-police",
    "Commissaire de police",
    "Cheffe de la section de police technique et scientifique",
)
TOT_GRADUATES = {
    "tot-NE": (
        "Abdoulaye",
        "Hamani",
        Sex.MALE,
        "NE-police",
        "Commissaire principal",
        "Formateur à l'École nationale de police",
    ),
    "tot-BF": (
        "Mariam",
        "Tiendrébéogo",
        Sex.FEMALE,
        "BF-police",
        "Commissaire de police",
        "Cheffe de section antiterroriste",
    ),
    "tot-TD": (
        "Mahamat Saleh",
        "Brahim",
        Sex.MALE,
        "TD-gendarmerie",
        "Capitaine",
        "Commandant de la section de recherches",
    ),
}
