"""Realistic demo data: South Karelia's wellbeing services county, its providers and HB clients.

`seed_demo(engine)` loads everything in ONE write transaction, and only into a database that has
no organizer yet. The data is deterministic (random.Random(2019)) and relative to `today`: budgets
start five months back, service events cover the two previous months and the current month up to
yesterday, surveys and feedback fall in the same window.

No real person's data appears: identity codes use the individual numbers 900–999 reserved for
temporary and test codes, business IDs use the number range 9 xxx xxx that is not issued, e-mail
addresses use the reserved `.example` domain. Companies and clients are fictional.
"""

from __future__ import annotations

import calendar
import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from hbapp.db import write_session
from hbapp.demo_people import DEMO_PEOPLE
from hbapp.domain.ledger import add_months, month_start
from hbapp.domain.money import cents_for
from hbapp.domain.pricing import charge_for
from hbapp.domain.scoring import score
from hbapp.domain.timebands import TimeBand, band_for
from hbapp.domain.travel import km_compensation_cents
from hbapp.domain.units import Unit
from hbapp.domain.vouchers import ALPHABET as VOUCHER_ALPHABET
from hbapp.models import (
    ApprovalStatus,
    AuditLog,
    Budget,
    BudgetAddition,
    BudgetLine,
    BudgetLineBandValue,
    BudgetStatus,
    CaseWorkerAssignment,
    Client,
    Consent,
    Feedback,
    Mandate,
    MandateSource,
    MandateStatus,
    Municipality,
    Organizer,
    Person,
    Provider,
    ProviderChoice,
    ProviderMunicipality,
    ProviderPrice,
    ProviderStaff,
    ServiceBandValue,
    ServiceEvent,
    ServiceType,
    ServiceUnitValue,
    SurveyAssignment,
    SurveyResponse,
    Voucher,
)

__all__ = [
    "AINO_MONTHLY_BUDGET_CENTS",
    "business_id_for",
    "identity_code_for",
    "seed_demo",
]

SEED = 2019
HELSINKI = ZoneInfo("Europe/Helsinki")
AINO_MONTHLY_BUDGET_CENTS = 156_400  # the Kainuu pilot's average budget, 1 564 €/month

# --------------------------------------------------------------------------- identifiers

_BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
_CONTROL_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def business_id_for(number: int) -> str:
    """A valid Y-tunnus for the 7-digit `number`, or for the next number that can have one.

    Check digit: weights 7,9,10,5,8,4,2; r = sum % 11; r == 0 → 0; r == 1 → no check digit
    exists (never issued), so the next number is taken; otherwise 11 − r.
    """
    while True:
        digits = f"{number:07d}"
        if len(digits) != 7:
            raise ValueError("business ID numbers have at most 7 digits")
        remainder = sum(w * int(d) for w, d in zip(_BUSINESS_ID_WEIGHTS, digits)) % 11
        if remainder != 1:
            return f"{digits}-{0 if remainder == 0 else 11 - remainder}"
        number += 1


def identity_code_for(born: date, individual: int) -> str:
    """A personal identity code DDMMYYCNNNX; use `individual` 900–999 (temporary/test codes)."""
    if not 2 <= individual <= 999:
        raise ValueError("individual number must be 002–999")
    century = {18: "+", 19: "-", 20: "A"}[born.year // 100]
    ddmmyy = born.strftime("%d%m") + f"{born.year % 100:02d}"
    check = _CONTROL_CHARS[int(f"{ddmmyy}{individual:03d}") % 31]
    return f"{ddmmyy}{century}{individual:03d}{check}"


# --------------------------------------------------------------------------- the organizer

ORGANIZER = {
    "name_fi": "Etelä-Karjalan hyvinvointialue",
    "name_sv": "Södra Karelens välfärdsområde",
    "name_en": "South Karelia wellbeing services county",
    "number": 9_000_105,
    "phone": "05 612 3000",
    "email": "henkilokohtainen.budjetti@ekhva.example",
}

# Statistics Finland codes; Swedish names where they differ.
MUNICIPALITIES = (
    ("405", "Lappeenranta", "Villmanstrand"),
    ("153", "Imatra", "Imatra"),
    ("416", "Lemi", "Lemi"),
    ("441", "Luumäki", "Luumäki"),
    ("580", "Parikkala", "Parikkala"),
    ("587", "Rautjärvi", "Rautjärvi"),
    ("689", "Ruokolahti", "Ruokolax"),
    ("739", "Savitaipale", "Savitaipale"),
    ("831", "Taipalsaari", "Taipalsaari"),
)
ALL_CODES = tuple(code for code, _, _ in MUNICIPALITIES)
TOWNS = {"405", "153"}  # trips within the two towns are short: no kilometres recorded

HC, CL, PA, DA, CLN, TR, GYM = (
    "home_care",
    "carers_leave",
    "personal_assistance",
    "day_activity",
    "cleaning",
    "transport",
    "gym_card",
)


@dataclass(frozen=True)
class ServiceSeed:
    code: str
    name_fi: str
    name_sv: str
    name_en: str
    unit: Unit
    unit_value_cents: int
    time_banded: bool = False
    self_pay_applies: bool = False


SERVICE_TYPES = (
    ServiceSeed(HC, "Kotihoito", "Hemvård", "Home care", Unit.HOUR, 3990, self_pay_applies=True),
    ServiceSeed(CL, "Omaishoidon vapaa", "Ledighet för närståendevårdare", "Carer's leave",
                Unit.DAY, 10_000),
    ServiceSeed(PA, "Henkilökohtainen apu", "Personlig assistans", "Personal assistance",
                Unit.HOUR, 2200, time_banded=True),
    ServiceSeed(DA, "Päivätoiminta", "Dagverksamhet", "Day activity", Unit.DAY, 6500),
    ServiceSeed(CLN, "Siivous", "Städning", "Cleaning", Unit.HOUR, 3500),
    ServiceSeed(TR, "Asiointi- ja virkistyskuljetus", "Färdtjänst", "Transport", Unit.VISIT, 2500),
    ServiceSeed(GYM, "Kuntosalikortti", "Gymkort", "Gym card", Unit.EURO, 100),
)

# Personal assistance: 22 €/h basic hour up to 44 €/h on Sundays and public holidays (Kainuu).
PA_BAND_VALUES = {
    TimeBand.WEEKDAY_DAY: 2200,
    TimeBand.WEEKDAY_EVENING: 2750,
    TimeBand.SATURDAY: 3300,
    TimeBand.SUNDAY_HOLIDAY: 4400,
}


def _bands(day: int, evening: int | None = None, saturday: int | None = None,
           sunday: int | None = None) -> dict[TimeBand, int]:
    prices = {TimeBand.WEEKDAY_DAY: day}
    for band, price in ((TimeBand.WEEKDAY_EVENING, evening), (TimeBand.SATURDAY, saturday),
                        (TimeBand.SUNDAY_HOLIDAY, sunday)):
        if price is not None:
            prices[band] = price
    return prices


# --------------------------------------------------------------------------- providers


@dataclass(frozen=True)
class ProviderSeed:
    key: str
    name: str
    status: ApprovalStatus
    municipalities: tuple[str, ...]
    languages: str
    takes_new_clients: bool
    evening_service: bool
    weekend_service: bool
    phone: str
    email: str
    street_address: str
    postal_code: str
    city: str
    opening_hours: str
    description_fi: str
    description_sv: str
    description_en: str
    prices: dict[str, dict[TimeBand, int]]
    feedback_count: int
    quality: str  # "good", "mixed" or "poor": how the feedback scores are drawn


A = ApprovalStatus.APPROVED

PROVIDERS: tuple[ProviderSeed, ...] = (
    ProviderSeed(
        "kotihelmi", "Saimaan Kotihelmi Oy", A, ("405", "416", "831"), "fi", True, True, True,
        "05 541 2210", "kotihoito@kotihelmi.example", "Kauppakatu 24", "53100", "Lappeenranta",
        "toimisto ma–pe 8–16, kotikäynnit joka päivä 7–21",
        "Tulemme kotiisi auttamaan arjessa: peseytymisessä, pukeutumisessa, lääkkeissä ja "
        "ruoassa. Käymme joka päivä aamusta iltaan, myös viikonloppuisin. Teemme myös "
        "kotisiivousta.",
        "Vi kommer hem till dig och hjälper till i vardagen: med tvätt, påklädning, mediciner "
        "och mat. Vi besöker varje dag från morgon till kväll, också på veckoslut. Vi städar "
        "också hem.",
        "We come to your home to help with daily life: washing, dressing, medicines and meals. "
        "We visit every day from morning to evening, weekends too. We also clean homes.",
        {HC: _bands(3850, 4450, 4600, 5200), CLN: _bands(3400)}, 14, "good",
    ),
    ProviderSeed(
        "kaislaranta", "Kotihoito Kaislaranta Oy", A, ("405", "441", "739"), "fi,sv", False, True,
        False, "05 450 3318", "info@kaislaranta.example", "Ratakatu 9", "53100", "Lappeenranta",
        "ma–pe 8–16",
        "Pieni kotihoidon yritys Lappeenrannassa, Luumäellä ja Savitaipaleella. Sama tuttu "
        "hoitaja käy luonasi arkipäivisin, myös iltaisin. Hoidamme läheistäsi, kun omaishoitajana "
        "pidät vapaata.",
        "Ett litet hemvårdsföretag i Villmanstrand, Luumäki och Savitaipale. Samma vårdare "
        "besöker dig på vardagar, också på kvällar. Vi vårdar din anhörig när du som "
        "närståendevårdare har ledigt.",
        "A small home-care company in Lappeenranta, Luumäki and Savitaipale. The same familiar "
        "nurse visits you on weekdays, evenings too. We care for your loved one while you, the "
        "family carer, take time off.",
        {HC: _bands(3600, 4200), CL: _bands(9800)}, 9, "good",
    ),
    ProviderSeed(
        "vuoksi", "Imatran Hoivapalvelu Vuoksi Oy", A, ("153", "689", "587", "580"), "fi", True,
        True, True, "05 471 2080", "hoiva@hoivavuoksi.example", "Koskenparras 6", "55100",
        "Imatra", "ma–pe 8–15.30, kotikäynnit joka päivä 7–22",
        "Kotihoitoa, siivousta ja omaishoidon vapaita Imatralla ja lähikunnissa. Käymme "
        "kaikkina päivinä, myös iltaisin. Kerromme hinnan aina etukäteen.",
        "Hemvård, städning och ledighet för närståendevårdare i Imatra med omnejd. Vi kommer "
        "alla dagar, också på kvällen. Vi säger alltid priset i förväg.",
        "Home care, cleaning and carer's leave in Imatra and nearby municipalities. We visit "
        "every day, evenings too. We always tell you the price in advance.",
        {HC: _bands(3400, 3950, 4300, 4900), CLN: _bands(3200), CL: _bands(9500)}, 11, "good",
    ),
    ProviderSeed(
        "hoivasaima", "Hoiva-Saima Oy", A, ("405", "153", "416"), "fi,sv,en", True, True, True,
        "040 718 2264", "palvelu@hoivasaima.example", "Valtakatu 41 B", "53100", "Lappeenranta",
        "ma–pe 8–17, päivystys joka päivä 7–22",
        "Kotihoitoa ja omaishoidon vapaan hoitoa suomeksi, ruotsiksi ja englanniksi. Hoitajamme "
        "ovat sairaanhoitajia ja lähihoitajia. Sopii, jos tarvitset myös sairaanhoitoa kotona.",
        "Hemvård och vård under närståendevårdarens ledighet på finska, svenska och engelska. "
        "Våra vårdare är sjukskötare och närvårdare. Passar dig som också behöver sjukvård "
        "hemma.",
        "Home care and care during carer's leave in Finnish, Swedish and English. Our staff are "
        "registered and practical nurses. Suits you if you also need nursing at home.",
        {HC: _bands(4250, 4800, 5200, 5800), CL: _bands(10_000)}, 4, "mixed",
    ),
    ProviderSeed(
        "parikkala", "Parikkalan Kotipalvelu Tmi", A, ("580", "587"), "fi", True, False, False,
        "044 512 7731", "kotipalvelu@parikkalankoti.example", "Kauppatie 12", "59100",
        "Parikkala", "ma–pe 8–16",
        "Yhden hoitajan yritys Parikkalassa ja Rautjärvellä. Autan kotiaskareissa, kaupassa "
        "käynnissä ja siivouksessa arkipäivisin. Tunnen kylät ja tiet.",
        "Ett enmansföretag i Parikkala och Rautjärvi. Jag hjälper till med hemsysslor, inköp "
        "och städning på vardagar. Jag känner byarna och vägarna.",
        "A one-person business in Parikkala and Rautjärvi. I help with housework, shopping and "
        "cleaning on weekdays. I know the villages and the roads.",
        {HC: _bands(3200), CLN: _bands(3000)}, 2, "good",
    ),
    ProviderSeed(
        "savitaipale", "Savitaipaleen Lähihoiva Oy", A, ("739", "441", "416"), "fi", True, True,
        True, "05 477 1490", "lahihoiva@savitaipaleenhoiva.example", "Kirkkotie 3", "52200",
        "Savitaipale", "ma–pe 8–16, kotikäynnit joka päivä 7–21",
        "Kotihoitoa ja omaishoidon vapaita Savitaipaleella, Luumäellä ja Lemillä. Tulemme myös "
        "iltaisin ja viikonloppuisin. Otamme uusia asiakkaita.",
        "Hemvård och ledighet för närståendevårdare i Savitaipale, Luumäki och Lemi. Vi kommer "
        "också på kvällar och veckoslut. Vi tar emot nya klienter.",
        "Home care and carer's leave in Savitaipale, Luumäki and Lemi. We also come in the "
        "evenings and at weekends. We take new clients.",
        {HC: _bands(3700, 4300, 4500, 5100), CL: _bands(9600)}, 0, "good",
    ),
    ProviderSeed(
        "apuna", "Avustajapalvelu Apuna Oy", A, ("405", "153", "441", "831"), "fi,sv", True, True,
        True, "05 430 6612", "avustajat@apuna.example", "Tainionkoskentie 18", "55120", "Imatra",
        "ma–pe 9–15, avustajat joka päivä",
        "Henkilökohtaisia avustajia vammaisille ihmisille kotiin, työhön, opiskeluun ja "
        "harrastuksiin. Sinä päätät, missä ja milloin avustaja auttaa. Avustajia on myös "
        "iltaisin ja viikonloppuisin.",
        "Personliga assistenter för personer med funktionsnedsättning, hemma, på jobbet, i "
        "studier och på fritiden. Du bestämmer var och när assistenten hjälper. Assistenter "
        "finns också på kvällar och veckoslut.",
        "Personal assistants for disabled people at home, at work, in studies and hobbies. You "
        "decide where and when the assistant helps. Assistants are available evenings and "
        "weekends too.",
        {PA: _bands(2200, 2750, 3300, 4400)}, 17, "good",
    ),
    ProviderSeed(
        "myotatuuli", "Myötätuuli Avustajat Oy", A, ("405", "689", "739"), "fi", True, True, True,
        "050 361 4427", "toimisto@myotatuuli.example", "Snellmaninkatu 7", "53100",
        "Lappeenranta", "ma–to 9–15",
        "Avustamme arjessa ja vapaa-ajalla: kaupassa, harrastuksissa ja matkoilla. Etsimme "
        "sinulle avustajan, joka sopii sinulle. Toimimme arkisin ja viikonloppuisin.",
        "Vi assisterar i vardagen och på fritiden: i butiken, med hobbyer och på resor. Vi söker "
        "en assistent som passar dig. Vi arbetar på vardagar och veckoslut.",
        "We assist in everyday life and free time: shopping, hobbies and trips. We find an "
        "assistant who suits you. We work on weekdays and at weekends.",
        {PA: _bands(2150, 2700, 3250, 4350)}, 6, "mixed",
    ),
    ProviderSeed(
        "vuoksenavustajat", "Vuoksen Avustajat Oy", ApprovalStatus.PENDING, ("153", "689"), "fi",
        True, True, True, "040 825 1166", "apu@vuoksenavustajat.example", "Lappeentie 2",
        "55100", "Imatra", "ma–pe 9–16",
        "Uusi henkilökohtaisen avun yritys Imatralla. Avustajamme auttavat kotona ja kodin "
        "ulkopuolella. Palvelemme myös iltaisin.",
        "Ett nytt företag för personlig assistans i Imatra. Våra assistenter hjälper hemma och "
        "utanför hemmet. Vi betjänar också på kvällar.",
        "A new personal assistance company in Imatra. Our assistants help at home and outside "
        "the home. We also serve in the evenings.",
        {PA: _bands(2200, 2750, 3300, 4400)}, 0, "good",
    ),
    ProviderSeed(
        "puhdaspirtti", "Siivouspalvelu Puhdas Pirtti Oy", A, ("405", "416", "831"), "fi", True,
        False, False, "05 418 9020", "siivous@puhdaspirtti.example", "Teollisuuskatu 21",
        "53600", "Lappeenranta", "ma–pe 7–15",
        "Kotisiivousta: imurointi, lattioiden pesu, pölyjen pyyhintä, kylpyhuone ja keittiö. "
        "Tuomme omat välineet ja aineet. Siivoamme arkipäivisin.",
        "Hemstädning: dammsugning, golvtvätt, damning, badrum och kök. Vi har med egna redskap "
        "och medel. Vi städar på vardagar.",
        "Home cleaning: vacuuming, washing floors, dusting, bathroom and kitchen. We bring our "
        "own tools and products. We clean on weekdays.",
        {CLN: _bands(3500)}, 8, "mixed",
    ),
    ProviderSeed(
        "kiiltavakoti", "Kiiltävä Koti Tmi", A, ("153", "689", "580", "587"), "fi,sv", True,
        False, False, "044 290 5318", "kiiltavakoti@kiiltavakoti.example", "Vuoksenniskantie 55",
        "55420", "Imatra", "ma–pe 8–16",
        "Siivoan kotisi rauhallisesti ja huolellisesti. Sopii iäkkäille ja kaikille, jotka eivät "
        "itse jaksa siivota. Palvelen suomeksi ja ruotsiksi.",
        "Jag städar ditt hem lugnt och noggrant. Passar äldre och alla som inte orkar städa "
        "själva. Jag betjänar på finska och svenska.",
        "I clean your home calmly and carefully. For older people and anyone who cannot manage "
        "the cleaning. I serve in Finnish and Swedish.",
        {CLN: _bands(3050)}, 3, "good",
    ),
    ProviderSeed(
        "polyhuiska", "Pölyhuiska Siivous Oy", ApprovalStatus.SUSPENDED, ("405",), "fi", False,
        False, True, "05 415 7702", "tilaukset@polyhuiska.example", "Mäntykatu 4", "53500",
        "Lappeenranta", "ma–pe 8–16, la 9–14",
        "Kotisiivousta ja ikkunanpesua Lappeenrannassa. Siivoamme myös lauantaisin.",
        "Hemstädning och fönstertvätt i Villmanstrand. Vi städar också på lördagar.",
        "Home cleaning and window washing in Lappeenranta. We also clean on Saturdays.",
        {CLN: _bands(3800, saturday=4200)}, 5, "poor",
    ),
    ProviderSeed(
        "lepotauko", "Omaishoitajan Lepotauko Oy", A, ("405", "153", "416", "441", "831"), "fi",
        True, True, True, "040 566 0912", "varaukset@lepotauko.example", "Pormestarinkatu 5",
        "53100", "Lappeenranta", "varaukset ma–pe 9–15",
        "Hoidamme läheistäsi hänen kotonaan, kun sinä omaishoitajana pidät vapaapäivän. Hoitaja "
        "voi olla koko päivän tai vuorokauden. Sovi vapaat hyvissä ajoin.",
        "Vi vårdar din anhörig i hens hem när du som närståendevårdare har en ledig dag. "
        "Vårdaren kan stanna hela dagen eller ett dygn. Boka ledigheten i god tid.",
        "We care for your loved one in their home while you, the family carer, take a day off. "
        "The carer can stay for the whole day or a day and night. Book your days off in good "
        "time.",
        {CL: _bands(9900)}, 7, "good",
    ),
    ProviderSeed(
        "tuulikello", "Päivätoimintakeskus Tuulikello Oy", A, ("405", "831", "416", "441", "739"),
        "fi", True, False, False, "05 451 2675", "tuulikello@tuulikello.example",
        "Sammonkatu 14", "53500", "Lappeenranta", "ma–pe 9–15",
        "Päivätoimintaa ikäihmisille ja muistisairaille arkipäivisin kello 9–15. Päivään kuuluu "
        "lounas, ulkoilua, jumppaa ja yhdessäoloa. Kuljetus voidaan järjestää.",
        "Dagverksamhet för äldre och personer med minnessjukdom på vardagar klockan 9–15. Dagen "
        "innehåller lunch, utevistelse, gymnastik och samvaro. Transport kan ordnas.",
        "Day activities for older people and people with memory disorders on weekdays 9–15. The "
        "day includes lunch, outdoor time, exercise and company. Transport can be arranged.",
        {DA: _bands(6200)}, 12, "good",
    ),
    ProviderSeed(
        "ruskakoti", "Päivätupa Ruskakoti Oy", A, ("153", "689", "587"), "fi,sv", False, False,
        False, "05 476 3340", "paivatupa@ruskakoti.example", "Karjalankatu 8", "55100", "Imatra",
        "ma–pe 8.30–15",
        "Päivätoimintaa kehitysvammaisille ja vammaisille aikuisille: käsitöitä, musiikkia, "
        "ruoanlaittoa ja retkiä. Ryhmät ovat pieniä. Olemme auki arkipäivisin.",
        "Dagverksamhet för vuxna med intellektuell eller annan funktionsnedsättning: hantverk, "
        "musik, matlagning och utflykter. Grupperna är små. Vi har öppet på vardagar.",
        "Day activities for adults with intellectual or other disabilities: crafts, music, "
        "cooking and outings. The groups are small. We are open on weekdays.",
        {DA: _bands(5800)}, 9, "good",
    ),
    ProviderSeed(
        "kyyti", "Karjalan Kyyti Oy", A, ALL_CODES, "fi", True, True, True, "05 412 4400",
        "tilaus@karjalankyyti.example", "Kivisalmentie 2", "53900", "Lappeenranta",
        "tilaukset joka päivä 6–22",
        "Asiointi- ja virkistyskuljetuksia koko Etelä-Karjalassa. Autoissa on luiska ja "
        "pyörätuolipaikka. Kuljettaja auttaa ovelta ovelle.",
        "Färdtjänst för ärenden och rekreation i hela Södra Karelen. Bilarna har ramp och plats "
        "för rullstol. Chauffören hjälper från dörr till dörr.",
        "Transport for errands and leisure all over South Karelia. The cars have a ramp and a "
        "wheelchair place. The driver helps you from door to door.",
        {TR: _bands(2300)}, 20, "good",
    ),
    ProviderSeed(
        "invataksi", "Vuoksen Invataksi Oy", A, ("153", "689", "587", "580"), "fi,sv", True, True,
        True, "040 731 5588", "kyyti@vuokseninvataksi.example", "Meltolantie 11", "55800",
        "Imatra", "tilaukset ma–su 7–21",
        "Invataksi Imatralla, Ruokolahdella, Rautjärvellä ja Parikkalassa. Viemme kauppaan, "
        "lääkäriin, harrastuksiin ja ystävien luo. Tilaa kyyti puhelimella edellisenä päivänä.",
        "Invataxi i Imatra, Ruokolax, Rautjärvi och Parikkala. Vi kör dig till butiken, "
        "läkaren, hobbyer och vänner. Beställ resan per telefon dagen före.",
        "Accessible taxi in Imatra, Ruokolahti, Rautjärvi and Parikkala. We take you to the "
        "shop, the doctor, hobbies and friends. Order your ride by phone the day before.",
        {TR: _bands(2450)}, 1, "mixed",
    ),
    ProviderSeed(
        "voimala", "Kuntokeskus Voimala Oy", A, ("405", "153"), "fi", True, True, True,
        "05 419 8800", "asiakaspalvelu@voimala.example", "Kauppalankatu 3", "55100", "Imatra",
        "ma–pe 6–21, la–su 8–18",
        "Kuntosali Lappeenrannassa ja Imatralla. Ohjaaja neuvoo laitteiden käytössä ja tekee "
        "sinulle oman ohjelman. Salit ovat esteettömiä.",
        "Gym i Villmanstrand och Imatra. En instruktör visar hur apparaterna fungerar och gör ett "
        "eget program för dig. Gymmen är tillgängliga.",
        "Gyms in Lappeenranta and Imatra. An instructor shows you how to use the equipment and "
        "makes a programme for you. The gyms are accessible.",
        {GYM: _bands(100)}, 10, "good",
    ),
    ProviderSeed(
        "syke", "Liikuntakeskus Saimaan Syke Oy", A, ("405", "831"), "fi", True, True, True,
        "05 453 1200", "info@saimaansyke.example", "Urheilukatu 10", "53600", "Lappeenranta",
        "ma–pe 6–21, la–su 9–17",
        "Kuntosali, vesijumppa ja senioriryhmät. Ryhmät on tehty eläkeläisille ja niille, jotka "
        "aloittavat liikunnan. Kortilla pääset myös uimaan.",
        "Gym, vattengymnastik och seniorgrupper. Grupperna är för pensionärer och för dem som "
        "börjar motionera. Med kortet kan du också simma.",
        "Gym, water aerobics and senior groups. The groups are for retired people and for those "
        "starting to exercise. The card also lets you swim.",
        {GYM: _bands(100)}, 4, "mixed",
    ),
    ProviderSeed(
        "luumaki", "Luumäen Kotiapu Tmi", A, ("441", "416", "739"), "fi", True, False, True,
        "050 412 9934", "kotiapu@luumaenkotiapu.example", "Kimpinentie 6", "54500", "Luumäki",
        "ma–pe 8–16, la 9–13",
        "Kotihoitoa ja siivousta Luumäellä ja lähikunnissa. Autan peseytymisessä, "
        "ruoanlaitossa ja kodin siivouksessa. Tulen myös lauantaisin.",
        "Hemvård och städning i Luumäki med omnejd. Jag hjälper med tvätt, matlagning och "
        "städning. Jag kommer också på lördagar.",
        "Home care and cleaning in Luumäki and nearby. I help with washing, cooking and "
        "cleaning the home. I also come on Saturdays.",
        {HC: _bands(3500, saturday=4400), CLN: _bands(3300, saturday=3800)}, 0, "good",
    ),
)

# --------------------------------------------------------------------------- clients


@dataclass(frozen=True)
class ClientSeed:
    key: str
    first_name: str
    last_name: str
    born: date
    individual: int  # 900–999: temporary/test codes; odd for men, even for women
    municipality: str
    language: str
    street_address: str
    person_subject: str | None
    lines: dict[str, Decimal]  # service code -> granted units per month
    providers: dict[str, str]  # service code -> provider key used
    consent: bool
    assigned_months_ago: int = 12
    overspends_previous_month: bool = False
    chosen: tuple[tuple[str, str], ...] = field(default=())  # (service, chooser subject)


D = Decimal

CLIENTS: tuple[ClientSeed, ...] = (
    ClientSeed(
        "aino", "Aino", "Virtanen", date(1945, 3, 14), 902, "405", "fi", "Koulukatu 15 B 8",
        "demo-client",
        # 20 h × 39.90 + 4 d × 100 + 5 h × 35 + 6 × 25 + 41 € = 1 564,00 €
        {HC: D(20), CL: D(4), CLN: D(5), TR: D(6), GYM: D(41)},
        {HC: "kotihelmi", CL: "lepotauko", CLN: "puhdaspirtti", TR: "kyyti", GYM: "voimala"},
        consent=True,
        chosen=((HC, "demo-relative"), (CLN, "demo-client")),
    ),
    ClientSeed(
        "bengt", "Bengt", "Lindholm", date(1958, 9, 2), 913, "153", "sv", "Rajapatsaantie 4 as 2",
        "demo-client-2",
        # 40 h × 22 + 8 d × 65 + 4 × 25 = 1 500,00 €
        {PA: D(40), DA: D(8), TR: D(4)},
        {PA: "apuna", DA: "ruskakoti", TR: "invataksi"},
        consent=True,
        chosen=((PA, "demo-guardian"),),
    ),
    ClientSeed(
        "toivo", "Toivo", "Hämäläinen", date(1938, 11, 27), 931, "441", "fi", "Jurvalantie 18",
        None,
        # 997,50 + 140 + 200 + 195 = 1 532,50 €
        {HC: D(25), CLN: D(4), TR: D(8), DA: D(3)},
        {HC: "savitaipale", CLN: "luumaki", TR: "kyyti", DA: "tuulikello"},
        consent=True, assigned_months_ago=10,
    ),
    ClientSeed(
        "greta", "Greta", "Nyström", date(1949, 6, 5), 944, "831", "sv", "Rasalantie 27", None,
        # 718,20 + 210 + 250 + 200 + 30 = 1 408,20 €
        {HC: D(18), CLN: D(6), TR: D(10), CL: D(2), GYM: D(30)},
        {HC: "kotihelmi", CLN: "puhdaspirtti", TR: "kyyti", CL: "lepotauko", GYM: "syke"},
        consent=False, assigned_months_ago=7,
    ),
    ClientSeed(
        "matti", "Matti", "Karjalainen", date(1991, 2, 19), 957, "689", "fi", "Ruokolahdentie 41",
        None,
        # 1 100 + 260 + 150 + 40 = 1 550,00 €
        {PA: D(50), DA: D(4), TR: D(6), GYM: D(40)},
        {PA: "myotatuuli", DA: "ruskakoti", TR: "invataksi", GYM: "voimala"},
        consent=True, assigned_months_ago=9, overspends_previous_month=True,
    ),
    ClientSeed(
        "elsa", "Elsa", "Lindqvist", date(1972, 12, 8), 968, "739", "sv", "Pappilantie 9", None,
        # 990 + 140 + 200 + 130 = 1 460,00 €
        {PA: D(45), CLN: D(4), TR: D(8), DA: D(2)},
        {PA: "myotatuuli", CLN: "luumaki", TR: "kyyti", DA: "tuulikello"},
        consent=True, assigned_months_ago=11,
    ),
    ClientSeed(
        "raili", "Raili", "Pesonen", date(1942, 4, 30), 976, "580", "fi", "Harjuntie 3", None,
        # 877,80 + 300 + 150 + 105 = 1 432,80 €
        {HC: D(22), CL: D(3), TR: D(6), CLN: D(3)},
        {HC: "parikkala", CL: "vuoksi", TR: "invataksi", CLN: "kiiltavakoti"},
        consent=False, assigned_months_ago=6,
    ),
)

# --------------------------------------------------------------------------- feedback texts

_COMMENTS = {
    "fi": {
        "good": [
            "Hoitaja on aina ystävällinen ja ehtii jutella.",
            "Tulevat sovittuun aikaan. Olen tyytyväinen.",
            "Hyvä ja luotettava palvelu.",
            "Kuljettaja auttoi kassien kanssa ovelle asti.",
            "Sama tuttu työntekijä käy, se on tärkeää.",
            "",
            "",
        ],
        "mixed": [
            "Työntekijät vaihtuvat usein.",
            "Muuten hyvä, mutta joskus tullaan myöhässä.",
            "Hinta on aika kallis iltaisin.",
            "Ihan hyvä.",
            "",
        ],
        "poor": [
            "Aika ei pitänyt, eikä kukaan soittanut.",
            "Siivous jäi puolitiehen.",
            "Laskussa oli enemmän tunteja kuin tehtiin.",
            "",
        ],
    },
    "sv": {
        "good": [
            "Vänlig personal som har tid att prata.",
            "De kommer alltid i tid. Jag är nöjd.",
            "Bra och pålitlig service.",
            "",
        ],
        "mixed": [
            "Personalen byts ofta.",
            "Ibland kommer de sent.",
            "",
        ],
        "poor": [
            "De kom inte på utsatt tid.",
            "Städningen blev inte färdig.",
            "",
        ],
    },
}
_SCORES = {
    "good": (10, 10, 10, 9, 9, 9, 9, 8, 8, 7, 10, 6),
    "mixed": (10, 9, 8, 8, 7, 7, 6, 5, 9, 4, 8, 3),
    "poor": (2, 3, 5, 6, 4, 7, 1, 8, 3),
}

# --------------------------------------------------------------------------- survey answers

PROMIS_AINO_BASELINE = {  # GMH raw 15 → T 50.8
    "Global01": 3, "Global02": 3, "Global03": 3, "Global04": 4, "Global05": 4,
    "Global06": 3, "Global07r": 4, "Global08r": 3, "Global09r": 4, "Global10r": 4,
}
PROMIS_AINO_3M = {  # GMH raw 10 → T 38.8: lonelier and lower mood after a fall in the winter
    "Global01": 2, "Global02": 2, "Global03": 2, "Global04": 3, "Global05": 3,
    "Global06": 3, "Global07r": 6, "Global08r": 2, "Global09r": 3, "Global10r": 2,
}
PROMIS_BENGT_BASELINE = {
    "Global01": 3, "Global02": 4, "Global03": 3, "Global04": 3, "Global05": 4,
    "Global06": 2, "Global07r": 3, "Global08r": 3, "Global09r": 4, "Global10r": 3,
}
PROMIS_BENGT_3M = {
    "Global01": 3, "Global02": 4, "Global03": 3, "Global04": 4, "Global05": 4,
    "Global06": 2, "Global07r": 3, "Global08r": 3, "Global09r": 4, "Global10r": 3,
}
_WHOQOL_BASE = {f"Q{i}": 4 for i in range(1, 27)} | {"Q3": 2, "Q4": 2, "Q26": 2, "Q15": 2}
WHOQOL_BENGT_BASELINE = _WHOQOL_BASE | {"Q9": 5, "Q13": 4, "Q25": 4}  # environment ≈ 78
# Three months on: the day-activity group moved further away and transport got harder.
WHOQOL_BENGT_3M = _WHOQOL_BASE | {
    "Q8": 3, "Q9": 3, "Q12": 3, "Q13": 4, "Q14": 3, "Q23": 4, "Q24": 4, "Q25": 2,
}

# The plain-language reason of the demo decisions, in the client's language.
DECISION_REASONS = {
    "fi": "Tarvitset apua arjessa kotona. Omaishoitajasi tarvitsee myös vapaata. Budjetilla "
          "voit valita itse, keneltä ja milloin apua saat.",
    "sv": "Du behöver hjälp i vardagen. Med budgeten kan du själv välja vem som hjälper dig "
          "och när.",
}

# --------------------------------------------------------------------------- seeding


def seed_demo(engine: Engine, today: date | None = None) -> bool:
    """Load the demo data if the database has no organizer yet. True when loaded."""
    today = today or date.today()
    with write_session(engine) as session:
        if session.exec(select(Organizer.id).limit(1)).first() is not None:
            return False
        _Seeder(session, today).run()
    return True


@dataclass
class _Line:
    line: BudgetLine
    service: ServiceSeed


class _Seeder:
    def __init__(self, session: Session, today: date) -> None:
        self.s = session
        self.today = today
        self.rng = random.Random(SEED)
        self.this_month = month_start(today)
        self.budget_start = add_months(self.this_month, -5)
        self.year_ago = today - timedelta(days=365)
        self.counts: dict[str, int] = {}

    # ------------------------------------------------------------------ helpers

    def add(self, row):
        self.s.add(row)
        name = type(row).__name__
        self.counts[name] = self.counts.get(name, 0) + 1
        return row

    def flush(self) -> None:
        _fit_datetimes(self.s.new)
        self.s.flush()

    @staticmethod
    def local(day: date, hour: int = 9, minute: int = 0) -> datetime:
        """Naive local time, as service events are recorded and time bands are defined."""
        return datetime.combine(day, time(hour, minute))

    @classmethod
    def at(cls, day: date, hour: int = 9, minute: int = 0) -> datetime:
        """An instant (created_at, submitted_at, ...): local clock time as naive UTC."""
        return _naive_utc(cls.local(day, hour, minute))

    # ------------------------------------------------------------------ run

    def run(self) -> None:
        self.organizer()
        self.municipalities()
        self.service_types()
        self.people()
        self.providers()
        self.clients()
        self.budgets()
        self.choices()
        self.staff()
        self.mandates()
        self.events()
        self.feedback()
        self.surveys()
        self.add(AuditLog(action="seed", actor_person_id=None, at=datetime.now(timezone.utc).replace(tzinfo=None),
                          details=json.dumps({"today": self.today.isoformat(),
                                              "rows": dict(sorted(self.counts.items()))})))
        self.flush()

    def organizer(self) -> None:
        o = ORGANIZER
        self.org = self.add(Organizer(
            name_fi=o["name_fi"], name_sv=o["name_sv"], name_en=o["name_en"],
            business_id=business_id_for(o["number"]),
            km_rate_cents=24, km_free_km=10, km_max_km=100,
            own_production_cost_cents_per_hour=3990,
            own_production_fee_cents_per_hour=1800,
            voucher_max_cents_per_hour=2700,
            phone=o["phone"], email=o["email"],
        ))
        self.flush()

    def municipalities(self) -> None:
        for code, fi, sv in MUNICIPALITIES:
            self.add(Municipality(code=code, organizer_id=self.org.id, name_fi=fi, name_sv=sv))
        self.flush()

    def service_types(self) -> None:
        self.types: dict[str, ServiceType] = {}
        self.service_seeds = {s.code: s for s in SERVICE_TYPES}
        for order, seed in enumerate(SERVICE_TYPES, start=1):
            self.types[seed.code] = self.add(ServiceType(
                organizer_id=self.org.id, code=seed.code, name_fi=seed.name_fi,
                name_sv=seed.name_sv, name_en=seed.name_en, unit=seed.unit.value,
                unit_value_cents=seed.unit_value_cents, time_banded=seed.time_banded,
                self_pay_applies=seed.self_pay_applies, sort_order=order * 10,
            ))
        self.flush()
        for band, value in PA_BAND_VALUES.items():
            self.add(ServiceBandValue(service_type_id=self.types[PA].id, band=band.value,
                                      unit_value_cents=value))
        # The catalog's dated values: this year's, in force since January of the year the
        # demo budgets start (values change every January).
        self.values_from = date(self.budget_start.year, 1, 1)
        for seed in SERVICE_TYPES:
            bands = ({b.value: v for b, v in PA_BAND_VALUES.items()} if seed.time_banded
                     else {TimeBand.WEEKDAY_DAY.value: seed.unit_value_cents})
            for band, value in bands.items():
                self.add(ServiceUnitValue(service_type_id=self.types[seed.code].id, band=band,
                                          valid_from=self.values_from, unit_value_cents=value,
                                          created_at=self.at(self.values_from - timedelta(days=20))))

    def people(self) -> None:
        self.people_by_subject: dict[str, Person] = {}
        for demo in DEMO_PEOPLE:
            if not demo.seeded:
                continue  # e.g. demo-client-new: a case worker registers them by hand
            worker = demo.subject in ("demo-worker", "demo-worker-2")
            admin = demo.subject == "demo-admin"
            locale = {"demo-client": "fi", "demo-client-2": "sv"}.get(demo.subject)
            email = ""
            if worker or admin:
                first, last = demo.name.lower().split(" ", 1)
                email = f"{_ascii(first)}.{_ascii(last)}@ekhva.example"
            self.people_by_subject[demo.subject] = self.add(Person(
                oidc_subject=demo.subject, display_name=demo.name, email=email, locale=locale,
                identity_code=demo.identity_code,
                is_worker=worker, is_admin=admin,
                organizer_id=self.org.id if (worker or admin) else None,
                created_at=self.at(self.year_ago - timedelta(days=30)),
            ))
        self.flush()

    def person(self, subject: str) -> Person:
        return self.people_by_subject[subject]

    def providers(self) -> None:
        self.provider_rows: dict[str, Provider] = {}
        self.provider_seeds = {p.key: p for p in PROVIDERS}
        self.prices: dict[tuple[str, str], dict[str, int]] = {}
        used_numbers: set[str] = {self.org.business_id}
        for seed in PROVIDERS:
            while True:
                bid = business_id_for(self.rng.randrange(9_000_200, 9_099_000))
                if bid not in used_numbers:
                    used_numbers.add(bid)
                    break
            self.provider_rows[seed.key] = self.add(Provider(
                business_id=bid, name=seed.name, description_fi=seed.description_fi,
                description_sv=seed.description_sv, description_en=seed.description_en,
                approval_status=seed.status.value, languages=seed.languages,
                takes_new_clients=seed.takes_new_clients, evening_service=seed.evening_service,
                weekend_service=seed.weekend_service, phone=seed.phone, email=seed.email,
                street_address=seed.street_address, postal_code=seed.postal_code,
                city=seed.city, opening_hours=seed.opening_hours,
                created_at=self.at(self.year_ago - timedelta(days=self.rng.randint(20, 400))),
            ))
        self.flush()
        for seed in PROVIDERS:
            provider = self.provider_rows[seed.key]
            for code in seed.municipalities:
                self.add(ProviderMunicipality(provider_id=provider.id, municipality_code=code))
            for service, bands in seed.prices.items():
                self.prices[(seed.key, service)] = {b.value: c for b, c in bands.items()}
                for band, cents in bands.items():
                    self.add(ProviderPrice(provider_id=provider.id,
                                           service_type_id=self.types[service].id,
                                           band=band.value, price_cents=cents))
        self.flush()

    def clients(self) -> None:
        self.client_rows: dict[str, Client] = {}
        self.client_seeds = {c.key: c for c in CLIENTS}
        worker = self.person("demo-worker")
        for seed in CLIENTS:
            person = self.person(seed.person_subject) if seed.person_subject else None
            assigned_on = (self.year_ago if seed.assigned_months_ago == 12
                           else add_months(self.this_month, -seed.assigned_months_ago)
                           + timedelta(days=self.rng.randint(2, 20)))
            client = self.add(Client(
                organizer_id=self.org.id, person_id=person.id if person else None,
                first_name=seed.first_name, last_name=seed.last_name,
                personal_identity_code=identity_code_for(seed.born, seed.individual),
                municipality_code=seed.municipality, language=seed.language,
                own_worker_id=worker.id, street_address=seed.street_address,
                created_at=self.at(assigned_on - timedelta(days=7)),
            ))
            self.client_rows[seed.key] = client
        self.flush()
        for seed in CLIENTS:
            client = self.client_rows[seed.key]
            starts = client.created_at.date() + timedelta(days=7)
            self.add(CaseWorkerAssignment(worker_person_id=worker.id, client_id=client.id,
                                          starts_on=starts))
            if not seed.consent:
                continue  # the worker sees how to ask for consent
            if seed.key == "aino":
                given_by, note = self.person("demo-client").id, "Asiakas antoi suostumuksen itse."
            elif seed.key == "bengt":
                given_by = self.person("demo-guardian").id
                note = "Edunvalvoja antoi suostumuksen / Intressebevakaren gav samtycke."
            else:
                given_by = None
                note = "Suullinen suostumus kotikäynnillä, kirjattu asiakkaan luona."
            self.add(Consent(client_id=client.id, given_by_person_id=given_by,
                             recorded_by_person_id=worker.id, given_on=starts, note=note))

    def budgets(self) -> None:
        self.lines: dict[str, dict[str, _Line]] = {}
        self.budget_rows: dict[str, Budget] = {}
        for number, seed in enumerate(CLIENTS, start=42):
            budget = self.add(Budget(
                client_id=self.client_rows[seed.key].id, organizer_id=self.org.id,
                valid_from=self.budget_start, valid_to=None, status=BudgetStatus.ACTIVE.value,
                decision_reference=f"HB-{self.budget_start.year}-{number:04d}",
                decision_version=1, decision_date=self.budget_start - timedelta(days=6),
                reason=DECISION_REASONS[seed.language],
                created_by_person_id=self.person("demo-worker").id,
                created_at=self.at(self.budget_start - timedelta(days=6), 13, 20),
            ))
            self.budget_rows[seed.key] = budget
        self.flush()
        for seed in CLIENTS:
            self.lines[seed.key] = {}
            for code, units in seed.lines.items():
                service = self.service_seeds[code]
                line = self.add(BudgetLine(
                    budget_id=self.budget_rows[seed.key].id,
                    service_type_id=self.types[code].id, granted_units_per_month=units,
                    unit_value_cents=service.unit_value_cents,
                ))
                self.lines[seed.key][code] = _Line(line, service)
                if service.time_banded:
                    self.flush()
                    for band, value in PA_BAND_VALUES.items():
                        self.add(BudgetLineBandValue(budget_line_id=line.id, band=band.value,
                                                     unit_value_cents=value))
        # A trip to a class reunion with an assistant (Etelä-Savo), last month.
        self.addition_month = add_months(self.this_month, -1)
        self.addition = self.add(BudgetAddition(
            budget_id=self.budget_rows["bengt"].id, month=self.addition_month,
            amount_cents=18_000,
            description="Matka luokkakokoukseen avustajan kanssa / Resa till klassträff med "
                        "assistent",
        ))
        self.flush()

    def choices(self) -> None:
        """The demo clients' chosen providers, each with its voucher code."""
        self.voucher_ids: dict[tuple[str, str, str], int] = {}
        choices = []
        for seed in CLIENTS:
            for code, subject in seed.chosen:
                chosen_at = self.at(self.budget_start + timedelta(days=3), 14, 5)
                choice = self.add(ProviderChoice(
                    client_id=self.client_rows[seed.key].id, service_type_id=self.types[code].id,
                    provider_id=self.provider_rows[seed.providers[code]].id,
                    chosen_by_person_id=self.person(subject).id, chosen_at=chosen_at,
                ))
                choices.append((seed, code, choice))
        self.flush()
        codes = random.Random(SEED + 1)  # its own stream: the events' random draws stay as they were
        for seed, code, choice in choices:
            body = "".join(codes.choice(VOUCHER_ALPHABET) for _ in range(8))
            voucher = self.add(Voucher(
                code=f"HB-{body[:4]}-{body[4:]}", choice_id=choice.id,
                client_id=choice.client_id, provider_id=choice.provider_id,
                service_type_id=choice.service_type_id, issued_at=choice.chosen_at))
            self.flush()
            self.voucher_ids[(seed.key, code, seed.providers[code])] = voucher.id

    def staff(self) -> None:
        """demo-provider works for the provider of Aino's home care (its main user);
        demo-provider-2 for an approved provider that no demo client uses."""
        aino = self.client_seeds["aino"]
        used = {key for seed in CLIENTS for key in seed.providers.values()}
        unused = next(p.key for p in PROVIDERS
                      if p.key not in used and p.status is ApprovalStatus.APPROVED)
        for subject, key in (("demo-provider", aino.providers[HC]), ("demo-provider-2", unused)):
            self.add(ProviderStaff(provider_id=self.provider_rows[key].id,
                                   person_id=self.person(subject).id, is_main_user=True,
                                   added_at=self.at(self.year_ago)))
        self.flush()

    def mandates(self) -> None:
        aino, bengt = self.client_rows["aino"].id, self.client_rows["bengt"].id
        worker = self.person("demo-worker").id
        created = self.at(self.year_ago, 10, 30)
        for client_id, agent, scopes, relation, source, by in (
            (aino, "demo-relative", "view,manage,feedback,surveys", "relative",
             MandateSource.CLIENT_GRANTED, self.person("demo-client").id),
            (aino, "demo-relative-view", "view", "relative", MandateSource.WORKER_RECORDED,
             worker),
            (bengt, "demo-guardian", "view,manage,feedback,surveys", "guardian",
             MandateSource.WORKER_RECORDED, worker),
        ):
            self.add(Mandate(
                client_id=client_id, agent_person_id=self.person(agent).id, scopes=scopes,
                relation=relation, source=source.value, status=MandateStatus.ACTIVE.value,
                valid_from=self.year_ago, valid_to=None, created_by_person_id=by,
                created_at=created,
            ))

    # ------------------------------------------------------------------ service events

    def events(self) -> None:
        months = [add_months(self.this_month, -2), add_months(self.this_month, -1),
                  self.this_month]
        for seed in CLIENTS:
            for month in months:
                for code, line in self.lines[seed.key].items():
                    self.line_month_events(seed, line, month)
        self.flush()

    def fraction(self, seed: ClientSeed, month: date) -> float:
        if seed.overspends_previous_month and month == add_months(self.this_month, -1):
            return self.rng.uniform(1.0, 1.03)
        if seed.key == "aino" and month == self.this_month:
            return self.rng.uniform(0.8, 0.9)  # on track
        return self.rng.uniform(0.65, 0.95)

    def line_month_events(self, seed: ClientSeed, line: _Line, month: date) -> None:
        days_in_month = calendar.monthrange(month.year, month.month)[1]
        days = [month + timedelta(days=i) for i in range(days_in_month)]
        days = [d for d in days if d < self.today]  # nothing today or later
        if not days:
            return
        fraction = self.fraction(seed, month)
        value = cents_for(line.line.granted_units_per_month, line.line.unit_value_cents)
        target = value * fraction * len(days) / days_in_month
        if seed.key == "bengt" and line.service.code == PA and month == self.addition_month:
            target += self.addition.amount_cents * 0.9  # the class reunion trip
        overspend = fraction > 1
        provider_key = seed.providers[line.service.code]

        if line.service.code == GYM:
            euros = int(target // 100) + (1 if overspend else 0)
            if euros >= 5:
                day = days[min(len(days) - 1, self.rng.randint(0, 4))]
                self.event(seed, line, provider_key, self.local(day, 16, 30), D(euros), D(0))
            return

        order = days[:]
        self.rng.shuffle(order)
        spent, misses = 0, 0
        for day in order:
            slot = self.slot(seed, line.service.code, provider_key, day)
            if slot is None:
                continue
            started_at, units, km = slot
            charge = self.charge(seed, line, provider_key, started_at, units, km)
            total = charge[0] + charge[2]
            if overspend:
                if spent >= target:
                    break
            elif spent + total > target:
                misses += 1
                if misses > 8:
                    break
                continue
            self.event(seed, line, provider_key, started_at, units, km)
            spent += total

    def slot(self, seed: ClientSeed, code: str, provider_key: str,
             day: date) -> tuple[datetime, Decimal, Decimal] | None:
        rng = self.rng
        provider = self.provider_seeds[provider_key]
        weekend = day.weekday() >= 5
        if weekend and not provider.weekend_service:
            return None
        km = D(0)
        if code == HC:
            if weekend:
                hour, minute = rng.choice([(8, 30), (9, 0), (17, 30)])
            elif provider.evening_service and rng.random() < 0.25:
                hour, minute = rng.choice([(18, 30), (19, 15), (20, 0)])
            else:
                hour, minute = rng.choice([(7, 30), (8, 15), (10, 0), (12, 30), (14, 0)])
            units = rng.choice([D(1), D(1), D("1.5"), D(2)])
        elif code == PA:
            if day.weekday() == 6:
                hour, minute, units = 11, 0, rng.choice([D(2), D(3)])
            elif day.weekday() == 5:
                hour, minute, units = 10, 0, rng.choice([D(3), D(4), D(5)])
            elif rng.random() < 0.3:
                hour, minute, units = 18, 0, rng.choice([D(2), D("2.5"), D(3)])
            else:
                hour, minute = rng.choice([(8, 0), (9, 0), (10, 0), (12, 0)])
                units = rng.choice([D(2), D(3), D(4)])
        elif code == CLN:
            if weekend:
                return None
            hour, minute = rng.choice([(9, 0), (12, 0)])
            units = rng.choice([D(2), D("2.5"), D(3)])
        elif code == CL:
            hour, minute, units = 8, 0, D(1)
        elif code == DA:
            if weekend:
                return None
            hour, minute, units = 9, 0, D(1)
        elif code == TR:
            hour, minute = rng.choice([(9, 30), (11, 0), (13, 15), (15, 0), (18, 0)])
            units = D(1)
            if seed.municipality not in TOWNS and rng.random() < 0.7:
                km = D(rng.randint(120, 580)).scaleb(-1)  # 12.0–58.0 km one way
        else:  # pragma: no cover - every seeded service is handled above
            raise ValueError(code)
        started_at = self.local(day, hour, minute)
        band = band_for(started_at)
        if (code in (HC, PA, CLN) and band is not TimeBand.WEEKDAY_DAY
                and band.value not in self.prices[(provider_key, code)]):
            return None  # e.g. a Sunday or a public holiday the provider does not work
        return started_at, units, km

    def unit_value(self, line: _Line, band: TimeBand) -> int:
        if line.service.time_banded:
            return PA_BAND_VALUES[band]
        return line.line.unit_value_cents

    def price(self, provider_key: str, code: str, band: TimeBand) -> int:
        prices = self.prices[(provider_key, code)]
        return prices.get(band.value, prices[TimeBand.WEEKDAY_DAY.value])

    def charge(self, seed, line, provider_key, started_at, units, km) -> tuple[int, int, int]:
        band = band_for(started_at)
        amount, self_pay = charge_for(units, self.price(provider_key, line.service.code, band),
                                      self.unit_value(line, band), line.service.self_pay_applies)
        km_cents = (km_compensation_cents(km, self.org.km_rate_cents, self.org.km_free_km,
                                          self.org.km_max_km) if km else 0)
        return amount, self_pay, km_cents

    def event(self, seed, line, provider_key, started_at, units, km) -> None:
        amount, self_pay, km_cents = self.charge(seed, line, provider_key, started_at, units, km)
        recorded = started_at + timedelta(hours=float(units) if line.service.unit == Unit.HOUR
                                          else 2, minutes=self.rng.randint(5, 90))
        hours = line.service.unit == Unit.HOUR
        self.add(ServiceEvent(
            provider_id=self.provider_rows[provider_key].id,
            client_id=self.client_rows[seed.key].id, budget_line_id=line.line.id,
            service_type_id=line.line.service_type_id, started_at=started_at, units=units,
            ended_at=started_at + timedelta(hours=float(units)) if hours else None,
            band=band_for(started_at).value, amount_cents=amount, self_pay_cents=self_pay,
            km=km, km_compensation_cents=km_cents, created_at=_naive_utc(recorded),
            voucher_id=self.voucher_ids.get((seed.key, line.service.code, provider_key)),
            source="seed",
        ))

    # ------------------------------------------------------------------ feedback

    def giver(self, seed: ClientSeed) -> tuple[int, bool]:
        """(person who gave the answer, proxy_reported)."""
        if seed.key == "aino":
            if self.rng.random() < 0.4:
                return self.person("demo-relative").id, True
            return self.person("demo-client").id, False
        if seed.key == "bengt":
            if self.rng.random() < 0.3:
                return self.person("demo-guardian").id, True
            return self.person("demo-client-2").id, False
        # Clients without a login answer on paper or by phone; the own worker records it.
        return self.person("demo-worker").id, True

    def feedback(self) -> None:
        aino = self.client_seeds["aino"]
        flagged_provider = aino.providers[CLN]
        for index, seed_p in enumerate(PROVIDERS):
            provider = self.provider_rows[seed_p.key]
            rotation = CLIENTS[index % len(CLIENTS):] + CLIENTS[:index % len(CLIENTS)]
            for k in range(seed_p.feedback_count):
                client_seed = rotation[k % len(rotation)]
                j = k // len(rotation)
                # One answer per client and provider in 30 days stays current (a later one
                # would replace it), so one client's answers are 35 days apart.
                offset = 3 + 35 * j + self.rng.randint(0, 3)
                if client_seed.key == "aino" and seed_p.key == flagged_provider:
                    offset += 35  # leave room for the flagged answer below
                created = self.at(self.today - timedelta(days=offset),
                                  self.rng.randint(8, 20), self.rng.randint(0, 59))
                quality = seed_p.quality
                score_value = self.rng.choice(_SCORES[quality])
                comment = self.rng.choice(_COMMENTS[_lang(client_seed.language)][quality])
                given_by, proxy = self.giver(client_seed)
                self.add(Feedback(
                    client_id=self.client_rows[client_seed.key].id, provider_id=provider.id,
                    score=score_value, comment=comment, flag=None, given_by_person_id=given_by,
                    proxy_reported=proxy, created_at=created,
                ))
        self.add(Feedback(
            client_id=self.client_rows["aino"].id,
            provider_id=self.provider_rows[flagged_provider].id, score=2,
            comment="Siivooja ei tullut sovittuna päivänä, eikä kukaan ilmoittanut. Uutta aikaa "
                    "ei ole vielä tarjottu.",
            flag="service_not_delivered", given_by_person_id=self.person("demo-client").id,
            proxy_reported=False, created_at=self.at(self.today - timedelta(days=4), 18, 12),
        ))

    # ------------------------------------------------------------------ surveys

    def surveys(self) -> None:
        worker = self.person("demo-worker").id
        aino, bengt = self.client_rows["aino"], self.client_rows["bengt"]
        baseline_day = self.budget_start + timedelta(days=9)  # ~5 months ago
        followup_day = self.today - timedelta(days=61)  # ~2 months ago
        key_counter = iter(range(1, 1000))

        def answered(client: Client, instrument: str, timepoint: str, day: date,
                     answers: dict, subject: str, proxy: bool, language: str) -> None:
            assigned = self.at(day - timedelta(days=10), 9, 15)
            submitted = self.at(day, self.rng.randint(9, 19), self.rng.randint(0, 59))
            assignment = self.add(SurveyAssignment(
                client_id=client.id, instrument_id=instrument, timepoint=timepoint,
                due_on=day + timedelta(days=4), assigned_by_person_id=worker,
                created_at=assigned, completed_at=submitted, draft_answers="{}",
            ))
            self.flush()
            self.add(SurveyResponse(
                assignment_id=assignment.id, client_id=client.id, instrument_id=instrument,
                answered_by_person_id=self.person(subject).id, proxy_reported=proxy,
                language=language, answers=json.dumps(answers, sort_keys=True),
                scores=json.dumps(score(instrument, answers), sort_keys=True),
                idempotency_key=f"seed-{next(key_counter)}", submitted_at=submitted,
            ))

        # "other" = the 3-month follow-up (the model's timepoints: baseline, 6_months, end, other)
        answered(aino, "promis10", "baseline", baseline_day, PROMIS_AINO_BASELINE,
                 "demo-client", False, "fi")
        answered(aino, "promis10", "other", followup_day, PROMIS_AINO_3M,
                 "demo-client", False, "fi")
        answered(bengt, "promis10", "baseline", baseline_day + timedelta(days=1),
                 PROMIS_BENGT_BASELINE, "demo-client-2", False, "sv")
        answered(bengt, "promis10", "other", followup_day + timedelta(days=2), PROMIS_BENGT_3M,
                 "demo-client-2", False, "sv")
        answered(bengt, "whoqol-bref", "baseline", baseline_day + timedelta(days=1),
                 WHOQOL_BENGT_BASELINE, "demo-client-2", False, "sv")
        answered(bengt, "whoqol-bref", "other", followup_day + timedelta(days=2),
                 WHOQOL_BENGT_3M, "demo-guardian", True, "sv")

        self.add(SurveyAssignment(
            client_id=aino.id, instrument_id="promis10", timepoint="6_months",
            due_on=self.today + timedelta(days=7), assigned_by_person_id=worker,
            created_at=self.at(self.today - timedelta(days=3), 10, 0),
        ))
        self.add(SurveyAssignment(
            client_id=self.client_rows["matti"].id, instrument_id="whodas12",
            timepoint="baseline", due_on=self.today - timedelta(days=10),
            assigned_by_person_id=worker, created_at=self.at(self.today - timedelta(days=31)),
        ))


def _naive_utc(local_moment: datetime) -> datetime:
    """A naive Finnish local time as naive UTC (how the model stores instants)."""
    aware = local_moment.replace(tzinfo=HELSINKI)
    return aware.astimezone(timezone.utc).replace(tzinfo=None)


def _fit_datetimes(rows) -> None:
    """Make the naive datetimes of new rows fit their columns, keeping the wall-clock time.

    The model stores naive values (instants as UTC, service event starts as local Finnish time).
    Should a column ever be typed timezone-aware (sqlmodel's UTCDateTime refuses naive values),
    the value is tagged as UTC, which stores and reads back the same clock time.
    """
    for row in rows:
        table = getattr(row, "__table__", None)
        if table is None:
            continue
        for column in table.columns:
            column_type = getattr(column.type, "impl", column.type)
            if not isinstance(column_type, sa.DateTime):
                continue
            value = getattr(row, column.key, None)
            if not isinstance(value, datetime):
                continue
            if column_type.timezone and value.tzinfo is None:
                setattr(row, column.key, value.replace(tzinfo=timezone.utc))
            elif not column_type.timezone and value.tzinfo is not None:
                setattr(row, column.key, value.replace(tzinfo=None))


def _lang(language: str) -> str:
    return "sv" if language == "sv" else "fi"


def _ascii(text: str) -> str:
    return text.translate(str.maketrans({"ä": "a", "ö": "o", "å": "a", "é": "e"}))
