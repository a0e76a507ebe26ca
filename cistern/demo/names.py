"""Word lists for the synthetic district. Plain data; every customer built from them is fictional.

Street names follow the Morongo Basin's (Joshua Tree, Yucca Valley, Landers): desert plants and animals,
Spanish and Cahuilla words, mesas and vistas. E-mail addresses use the reserved example domains only.
"""


def _words(text: str) -> list[str]:
    return text.split()


def _bars(text: str) -> list[str]:
    """Names that have spaces in them, separated by |."""
    return [name.strip() for name in text.replace("\n", "").split("|") if name.strip()]


# --- people ---------------------------------------------------------------------------------------

FIRST_NAMES = _words("""
James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph
Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark Margaret
Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian
Melissa George Deborah Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan
Dorothy Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Brenda Stephen Emma Larry Anna Justin
Pamela Scott Nicole Brandon Samantha Benjamin Katherine Samuel Christine Gregory Debra Alexander Rachel
Patrick Carolyn Frank Janet Raymond Maria Jack Olivia Dennis Heather Jerry Helen Tyler Catherine Aaron
Diane Henry Julie Douglas Victoria Peter Joyce Adam Lauren Nathan Kelly Zachary Christina Walter Ruth Kyle
Joan Harold Virginia Carl Judith Arthur Evelyn Gerald Hannah Roger Andrea Keith Megan Lawrence Cheryl
Terry Jacqueline Sean Madison Austin Teresa Noah Abigail Jesse Sophia Dylan Martha Bryan Sara Billy
Gloria Bruce Janice Willow Sage Skye River Juniper Luna Wren Jasper Ezra Hazel Milo Ivy Rowan Iris
""")

FIRST_NAMES_ES = _words("""
Jose Maria Juan Guadalupe Luis Rosa Carlos Ana Jesus Carmen Miguel Juana Francisco Leticia Antonio
Veronica Alejandro Patricia Manuel Elena Pedro Sofia Javier Lucia Ricardo Gabriela Roberto Adriana
Fernando Claudia Raul Beatriz Hector Silvia Ramon Monica Ruben Yolanda Sergio Alicia Arturo Martha
Eduardo Ines Jorge Teresa Oscar Esperanza Angel Dolores Adrian Rocio Andres Marisol Armando Araceli
Enrique Consuelo Ignacio Irma Alfredo Graciela Salvador Norma Rafael Josefina Gilberto Maribel
""")

FIRST_NAMES_OTHER = _words("""
Minh Linh Thanh Huong Jae Min Ji Hyun Wei Mei Jian Li Priya Raj Anil Sunita Ahmed Fatima Omar Layla
Arman Ani Tigran Narine Kenji Yuki Hiroshi Aiko Tariq Noor Dmitri Olga Ivan Svetlana Kofi Ama
""")

LAST_NAMES = _words("""
Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin Jackson Thompson
White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Hill Green Adams Baker Nelson
Carter Mitchell Roberts Turner Phillips Campbell Parker Evans Edwards Collins Stewart Morris Murphy Cook
Rogers Morgan Cooper Peterson Bailey Reed Kelly Howard Cox Ward Richardson Watson Brooks Wood James
Bennett Gray Hughes Price Sanders Myers Long Ross Foster Powell Jenkins Perry Russell Sullivan Bell
Coleman Butler Henderson Barnes Fisher Vasquez Simmons Graham Marshall Owens Harrison Gibson Wallace
Hamilton Ellis McDonald Woods Cole West Jordan Reynolds Hunt Black Stone Holmes Palmer Wagner Weber
Schmidt Mueller Larson Olson Hansen Nielsen Lindqvist Kowalski Novak Rossi Russo Bianchi Murray Ford
Walsh Byrne Quinn Gallagher Doyle Keller Hoffman Becker Schultz Fleming Pratt Lambert Burke Fox Hale
Whitaker Sutton Barlow Crane Drake Everett Garrett Holt Kerr Lowe Marsh Nash Oakley Pike Rhodes Sharp
Thorne Vance Wolfe Yates Abbott Ashby Blevins Calloway Dunbar Eastwood Fairbanks Goodwin Hargrove
""")

LAST_NAMES_ES = _words("""
Garcia Rodriguez Martinez Hernandez Lopez Gonzalez Perez Sanchez Ramirez Torres Flores Rivera Gomez Diaz
Reyes Morales Cruz Ortiz Gutierrez Chavez Ramos Ruiz Alvarez Mendoza Castillo Jimenez Moreno Romero
Herrera Medina Aguilar Vargas Guzman Salazar Castro Ortega Delgado Vega Contreras Estrada Navarro Cervantes
Sandoval Rios Dominguez Acosta Soto Campos Fuentes Luna Juarez Ibarra Valenzuela Carrillo Pacheco Rosales
Espinoza Cordova Mejia Zamora Villanueva Ochoa Trujillo Baca Montoya Quintero Serrano Padilla Orozco
""")

LAST_NAMES_OTHER = _words("""
Nguyen Tran Le Pham Kim Park Lee Choi Chen Wang Zhang Liu Huang Patel Shah Singh Khan Ali Hassan
Petrosyan Sarkisian Hovsepian Tanaka Sato Nakamura Yamamoto Ivanov Petrov Mensah Okafor Haddad Nasser
""")

# Spanish spellings clerks see on IDs; the prior system stored some names without accents, so only some
# customers carry them (and a search for "lopez" will not find "López": see the bench README).
ACCENTED = {
    "Maria": "María", "Jose": "José", "Jesus": "Jesús", "Ramon": "Ramón", "Raul": "Raúl", "Ines": "Inés",
    "Sofia": "Sofía", "Lucia": "Lucía", "Ruben": "Rubén", "Hector": "Héctor", "Oscar": "Óscar",
    "Angel": "Ángel", "Adrian": "Adrián", "Andres": "Andrés", "Veronica": "Verónica", "Monica": "Mónica",
    "Rocio": "Rocío", "Garcia": "García", "Rodriguez": "Rodríguez", "Martinez": "Martínez",
    "Hernandez": "Hernández", "Lopez": "López", "Gonzalez": "González", "Perez": "Pérez",
    "Sanchez": "Sánchez", "Ramirez": "Ramírez", "Gomez": "Gómez", "Diaz": "Díaz", "Gutierrez": "Gutiérrez",
    "Alvarez": "Álvarez", "Jimenez": "Jiménez", "Guzman": "Guzmán", "Dominguez": "Domínguez",
    "Juarez": "Juárez", "Mejia": "Mejía", "Cordova": "Córdova",
}  # fmt: skip

# --- organisations (commercial, institutional, and owners that are companies or trusts) -----------------

ORG_PLACES = _bars("""
Joshua Tree|Yucca Valley|Landers|Hi-Desert|Morongo Basin|Copper Mountain|Mojave|Desert Sky|Sunfair|
Quail Springs|Joshua Basin|Yucca Mesa|Flamingo Heights|Pioneertown|Black Rock|Indian Cove|Desert Star|
Cholla|Sunburst|Coyote|Roadrunner|Juniper|Granite|Boulder|Starlight|Painted Sky|Rattlesnake Canyon
""")

ORG_BUSINESSES = [
    "Motel", "Inn", "Lodge", "Market", "Mercantile", "Hardware", "Auto Repair", "Tire & Brake", "Dental Group",
    "Veterinary Clinic", "Cafe", "Coffee House", "Saloon", "Pizza", "Taqueria", "Gallery", "Art Studio",
    "Self Storage", "Feed & Supply", "Laundromat", "Realty", "Car Wash", "Nursery", "Pet Grooming",
    "Yoga Center", "Climbing Outfitters", "Print Shop", "Family Medicine", "Chiropractic", "Trading Post",
    "Guest Ranch", "RV Park", "Liquor", "Bakery", "Plumbing", "Electric", "Construction", "Roofing",
]  # fmt: skip
ORG_SUFFIXES = ["", "", " LLC", " Inc.", " & Co."]
ORG_INSTITUTIONS = [
    "Morongo Unified School District", "Joshua Tree Community Center", "Hi-Desert Community Church",
    "First Baptist Church of {place}", "St. Mary's Catholic Church", "{place} Community Church",
    "{place} Lutheran Church", "{place} Senior Center", "Morongo Basin Humane Society",
    "{place} Chamber of Commerce", "{place} Public Library Friends", "American Legion Post 785",
    "{place} Lions Club", "Morongo Basin Transit Authority", "{place} Fire Safe Council",
    "{place} Elementary School", "{place} Veterans Hall", "{place} Unitarian Fellowship",
]  # fmt: skip
# Owners of vacation rentals and rentals that are companies or trusts.
OWNER_ENTITIES = [
    "{place} Retreats LLC", "{place} Vacation Homes LLC", "{place} Properties LLC", "{last} Family Trust",
    "{last} Living Trust", "{place} Holdings LLC", "{last} Rentals LLC", "{place} Hideaway LLC",
    "{place} Casitas LLC", "{last} & {last2} Partners",
]  # fmt: skip

# --- streets ----------------------------------------------------------------------------------------

# Roads everyone in the district knows; always present, in the city given.
MAIN_ROADS = [
    ("Twentynine Palms Hwy", "Joshua Tree"), ("Sunburst Ave", "Joshua Tree"), ("Chollita Rd", "Joshua Tree"),
    ("Sunfair Rd", "Joshua Tree"), ("Alta Loma Dr", "Joshua Tree"), ("Onaga Trl", "Yucca Valley"),
    ("Sage Ave", "Yucca Valley"), ("Quail Springs Rd", "Joshua Tree"), ("Park Blvd", "Joshua Tree"),
    ("Hillview Rd", "Joshua Tree"), ("Yucca Mesa Rd", "Yucca Valley"), ("Border Ave", "Joshua Tree"),
    ("Sunny Vista Rd", "Joshua Tree"), ("Desert Queen Ave", "Joshua Tree"), ("Aberdeen Dr", "Joshua Tree"),
    ("Mantonya Rd", "Joshua Tree"), ("Valley Vista Ave", "Joshua Tree"), ("Bluegrass Dr", "Joshua Tree"),
    ("Old Woman Springs Rd", "Landers"), ("Reche Rd", "Landers"), ("Belfield Blvd", "Landers"),
    ("Linn Rd", "Landers"), ("Pioneertown Rd", "Yucca Valley"), ("Avalon Ave", "Yucca Valley"),
    ("Elata Ave", "Yucca Valley"), ("Buena Vista Dr", "Yucca Valley"), ("Warren Vista Ave", "Yucca Valley"),
    ("Center St", "Joshua Tree"), ("Cascade Rd", "Joshua Tree"), ("Neptune Ave", "Joshua Tree"),
    ("Saturn Rd", "Joshua Tree"), ("Jemez Trl", "Yucca Valley"), ("La Contenta Rd", "Yucca Valley"),
    ("Sunkist Rd", "Joshua Tree"), ("Cahuilla Ave", "Joshua Tree"), ("Olympic Rd", "Joshua Tree"),
]  # fmt: skip

STREET_BASES = _bars("""
Apache|Arrow|Avenida del Sol|Bandera|Barberry|Bermuda|Big Horn|Black Rock|Bonita|Boulder|Brant|Bullion|
Butterfield|Cactus|Camino del Cielo|Canyon|Carlsbad|Cascade|Catalina|Cholla|Chia|Cielito|Cobalt|Copper|
Cottonwood|Coyote|Coyote Valley|Creosote|Crestview|Daisy|Desert Gold|Desert Trail|Desert View|
Desert Willow|Diamond|Dumosa|Eldorado|Encelia|Encanto|Fleur|Foothill|Frontier|Geronimo|Gold Crown|
Golden Bee|Granite|Greenleaf|Hacienda|Hidden Gold|Highland|Homestead|Indio|Inca|Ironwood|Jackrabbit|
Juniper|Kickapoo|La Brisa|La Honda|Lobo|Lupine|Mandarin|Manzanita|Mariposa|Mesa|Mesquite|
Mesquite Springs|Mojave|Monte Vista|Morongo|Mountain View|Nelson|Ocotillo|Old Dale|Olive|Outpost|
Palm Vista|Palo Verde|Palomar|Panorama|Paradise|Pinon|Pinto Mountain|Pipes Canyon|Primrose|Quail|
Rainbow|Ramona|Rattlesnake|Roadrunner|Rockaway|Rocking Chair|Sahara|San Andreas|Sandalwood|Santa Fe|
Serrano|Shadow Mountain|Sierra|Skyline|Smoke Tree|Sonora|Star Dune|Starlight Mesa|Sun Valley|Sunrise|
Sunset|Sunshine|Tamarisk|Tortoise|Tumbleweed|Twilight|Uphill|Ventura|Verbena|Victory|Vista Del Monte|
Warbler|White Feather|Whitetail|Wildflower|Yaqui|Yucca|Yucca Trail|Zircon|Acoma|Alamo|Amador|Ash|
Benecia|Bonanza|Breezy|Bunker Hill|Calico|Carmelita|Chaparral|Cherokee|Cimmaron|Condalia|Cornerstone|
Dale|Del Norte|Desert Dunes|Dusty|El Reposo|Flamingo|Frisbee|Garnet|Gila|Hermosa|Hopi|Javelina|
Kiva|Lamar|Lear|Little League|Lucerne|Mesa Grande|Navajo|Oleander|Opal|Pueblo|Redwing|Saddleback|
Sagebrush|Sky High|Sparrow|Tecopa|Topaz|Turquoise|Vale|Wamego|Winters|Yarrow|Zuni
""")

STREET_TYPES = ["Rd", "Ave", "Dr", "Trl", "Ln", "St", "Way", "Pl", "Cir"]

# City, ZIP and the zones served there; Joshua Tree mostly.
CITIES = [
    ("Joshua Tree", "92252", ["Zone 1", "Zone 2", "Zone 3", "Zone 4"], 70),
    ("Yucca Valley", "92284", ["Zone 5"], 20),
    ("Landers", "92285", ["Zone 6"], 10),
]
# First house number of a street, by city (the Basin numbers its east-west roads in five digits).
HOUSE_BASE = {"Joshua Tree": (59000, 63000), "Yucca Valley": (54000, 57500), "Landers": (1000, 4000)}

# --- mailing and forwarding addresses outside the district -------------------------------------------

OUT_OF_AREA = [
    ("Los Angeles", "CA", "900"), ("Pasadena", "CA", "911"), ("Long Beach", "CA", "908"),
    ("Santa Monica", "CA", "904"), ("Burbank", "CA", "915"), ("Irvine", "CA", "926"), ("Anaheim", "CA", "928"),
    ("Huntington Beach", "CA", "926"), ("Costa Mesa", "CA", "926"), ("San Diego", "CA", "921"),
    ("Escondido", "CA", "920"), ("Oceanside", "CA", "920"), ("Palm Springs", "CA", "922"),
    ("Palm Desert", "CA", "922"), ("Riverside", "CA", "925"), ("Redlands", "CA", "923"),
    ("Temecula", "CA", "925"), ("San Francisco", "CA", "941"), ("Oakland", "CA", "946"),
    ("Las Vegas", "NV", "891"), ("Henderson", "NV", "890"), ("Phoenix", "AZ", "850"),
    ("Tucson", "AZ", "857"), ("Portland", "OR", "972"), ("Seattle", "WA", "981"), ("Denver", "CO", "802"),
    ("Austin", "TX", "787"), ("Albuquerque", "NM", "871"), ("Boise", "ID", "837"), ("Brooklyn", "NY", "112"),
]  # fmt: skip
# Nearby towns outside the district's service area (where people move when they leave it).
NEARBY = [
    ("Twentynine Palms", "CA", "92277"), ("Morongo Valley", "CA", "92256"), ("Pioneertown", "CA", "92268"),
    ("Barstow", "CA", "92311"), ("Victorville", "CA", "92392"), ("Hesperia", "CA", "92345"),
    ("Banning", "CA", "92220"), ("Desert Hot Springs", "CA", "92240"), ("Indio", "CA", "92201"),
]  # fmt: skip
CITY_STREETS = _bars("""
Main St|Oak St|Maple Ave|Elm St|Pine St|Cedar Ave|Washington Blvd|Lincoln Ave|Ocean Ave|Sunset Blvd|
Wilshire Blvd|Broadway|Park Ave|Lake St|Hill St|Highland Ave|Grand Ave|Orange Ave|Palm Dr|Citrus Ave|
Mission St|Euclid Ave|Harbor Blvd|Beach Blvd|El Camino Real|Magnolia Ave|Vine St|Central Ave|Adams St|
Jefferson St|Madison Ave|University Ave|College Ave|Laurel Canyon Blvd|Figueroa St|Alvarado St|
""")
APARTMENT_UNITS = ["Apt 1", "Apt 2", "Apt 3", "Apt 4B", "Apt 12", "Unit 5", "Unit 210", "# 7", "Ste 300"]

# --- the contact log ----------------------------------------------------------------------------------

CONTACTS = [
    ("High bill inquiry", "Customer asked why the bill went up; explained tiers and suggested a leak check."),
    ("Leak reported", "Customer reports water pooling near the meter box; field crew to check."),
    ("Payment arrangement request", "Asked to split the past-due balance over three bills; sent to CSS II."),
    ("Mailing address change", "Customer gave a new mailing address by phone; verified identity first."),
    ("Question about rate change", "Explained the current schedule and the next step of the rate study."),
    ("Paperless billing", "Customer asked about e-mailed bills; explained how to sign up."),
    ("Autopay question", "Customer asked how autopay draws work and when the draft happens."),
    ("Meter access", "Dog in the yard; customer will keep the gate open on read day."),
    ("Water quality", "Customer noticed cloudy water after main flushing; explained it clears in a few hours."),
    ("Past-due reminder call", "Reminded customer of the past-due balance; customer will pay Friday."),
    ("Start service request", "New occupant asked about starting service; explained the application."),
    ("Stop service request", "Customer moving out; asked for a final read and the forwarding address."),
    ("Low-income program", "Customer asked about the low-income program; mailed the application."),
    ("Medical certification", "Customer asked about medical certification; explained the form."),
    ("Vacation rental contact", "Property manager asked for copies of the last three bills."),
    ("Pressure complaint", "Low pressure in the mornings; noted for the distribution crew."),
    ("Conservation rebate", "Asked about turf and fixture rebates; sent the program sheet."),
    ("Receipt copy", "Customer asked for a copy of a payment receipt; e-mailed it."),
]  # fmt: skip
CONTACTS_ES = [
    ("Consulta de factura alta", "Atendido en español. Se explicaron los bloques de consumo."),
    ("Acuerdo de pago", "Atendido en español. Solicita pagar el saldo en tres facturas."),
    ("Cambio de dirección postal", "Atendido en español. Nueva dirección verificada."),
]  # fmt: skip

FLAG_REASONS = {
    "medical": [
        "Medical certification from primary care physician on file",
        "Certification of medical need (life support equipment) received",
        "Medical certificate received; renew before expiry",
    ],
    "low_income": [
        "Enrolled in low-income assistance (income verified)",
        "LIHWAP eligibility letter on file",
        "Household receives CalFresh; enrolment verified",
    ],
    "cash_only": ["Two returned checks within 12 months", "Returned check (NSF); cash or card only"],
    "shutoff_hold": [
        "Supervisor hold: leak adjustment under review",
        "Hold while high-bill relief application is reviewed",
        "Hold: customer hospitalised, family arranging payment",
    ],
}
