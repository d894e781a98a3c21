"""Words the simulated platform is made of: names, places, bios, phrases, hashtags, domains.

Every person named here is fictional. Regions tie a time zone to the names, places and languages
its accounts use, so an account's profile, language and posting hours agree (or, for the campaign's
personas, deliberately disagree).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    """Where organic accounts live: UTC offset, languages (with weights), names and places."""

    key: str
    utc_offset_min: int
    weight: float
    langs: tuple[tuple[str, float], ...]
    first: tuple[str, ...]
    last: tuple[str, ...]
    places: tuple[str, ...]


_W_FIRST = ("Emily", "James", "Olivia", "Michael", "Sarah", "David", "Jessica", "Daniel", "Ashley",
            "Matthew", "Lauren", "Ryan", "Megan", "Kevin", "Rachel", "Brian", "Amanda", "Jason",
            "Hannah", "Tyler", "Nicole", "Justin", "Kayla", "Brandon", "Rebecca", "Eric", "Laura",
            "Adam", "Heather", "Scott", "Chloe", "Nathan", "Grace", "Kyle", "Abigail", "Sean",
            "Madison", "Patrick", "Victoria", "Aaron", "Natalie", "Jacob", "Samantha", "Ethan",
            "Brittany", "Logan", "Kelly", "Connor", "Alyssa", "Dylan")
_W_LAST = ("Johnson", "Smith", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
           "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White",
           "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
           "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts",
           "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins", "Edwards", "Stewart",
           "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Peterson", "Reed")
_UK_FIRST = ("Oliver", "Amelia", "Harry", "Isla", "George", "Poppy", "Jack", "Freya", "Alfie",
             "Ella", "Charlie", "Lily", "Archie", "Evie", "Callum", "Niamh", "Rhys", "Imogen",
             "Finley", "Rosie", "Owen", "Millie", "Declan", "Sophie")
_UK_LAST = ("Hughes", "Wood", "Jenkins", "Price", "Bennett", "Griffiths", "Lloyd", "Holmes",
            "Powell", "Ward", "Fletcher", "Barker", "Pearce", "Dawson", "Marsh", "Fraser",
            "McLeod", "Kaur", "Begum", "O'Neill", "Doherty", "Pritchard")
_EU_FIRST = ("Lukas", "Lea", "Jonas", "Marie", "Felix", "Clara", "Hugo", "Camille", "Lucas",
             "Manon", "Matteo", "Giulia", "Pablo", "Lucia", "Sven", "Ingrid", "Piotr", "Zofia",
             "Anouk", "Bram", "Elif", "Mehmet", "Nikos", "Eleni")
_EU_LAST = ("Müller", "Schmidt", "Schneider", "Dubois", "Lefèvre", "Moreau", "Rossi", "Bianchi",
            "García", "Fernández", "Jansen", "de Vries", "Kowalski", "Nowak", "Lindqvist",
            "Andersen", "Yılmaz", "Demir", "Papadopoulos", "Novak", "Horvath", "Weber")
_BR_FIRST = ("Lucas", "Gabriel", "Mariana", "Ana", "Pedro", "Beatriz", "Rafael", "Larissa",
             "Thiago", "Camila", "Bruno", "Juliana", "Matheus", "Fernanda", "Diego", "Valentina",
             "Santiago", "Sofía", "Mateo", "Renata")
_BR_LAST = ("Silva", "Santos", "Oliveira", "Souza", "Ferreira", "Costa", "Rodrigues", "Almeida",
            "Pereira", "Lima", "Gomes", "Ribeiro", "Hernández", "López", "Martínez", "González",
            "Ramírez", "Torres", "Flores", "Vargas")
_IN_FIRST = ("Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Sneha", "Arjun", "Kavya", "Rahul",
             "Pooja", "Aditya", "Neha", "Karan", "Divya", "Siddharth", "Meera", "Imran", "Ayesha")
_IN_LAST = ("Sharma", "Patel", "Gupta", "Singh", "Reddy", "Iyer", "Nair", "Mehta", "Joshi",
            "Rao", "Chatterjee", "Khan", "Verma", "Desai", "Kapoor", "Menon")
_SEA_FIRST = ("Wei Ling", "Jun Jie", "Mei", "Kai", "Hui Min", "Zhi Hao", "Siti", "Ahmad", "Nurul",
              "Farah", "Budi", "Dewi", "Andi", "Rina", "Maria", "Jose", "Angelica", "Mark",
              "Jia Hui", "Ethan", "Chloe", "Ryan")
_SEA_LAST = ("Tan", "Lim", "Lee", "Ng", "Wong", "Chan", "Goh", "Teo", "Rahman", "Abdullah",
             "Santoso", "Wijaya", "Pratama", "Reyes", "Cruz", "Bautista", "Lau", "Cheung")
_JP_FIRST = ("Haruto", "Yui", "Sota", "Hina", "Ren", "Aoi", "Yuto", "Sakura", "Minjun", "Seoyeon",
             "Jiho", "Haeun")
_JP_LAST = ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura",
            "Kim", "Park", "Choi", "Jung")
_AF_FIRST = ("Chinedu", "Amaka", "Tunde", "Ngozi", "Kwame", "Ama", "Sipho", "Thandi", "Emeka",
             "Zainab", "Kofi", "Adaeze")
_AF_LAST = ("Okafor", "Adeyemi", "Mensah", "Nkosi", "Okeke", "Balogun", "Boateng", "Dlamini",
            "Eze", "Ibrahim", "Owusu", "Ndlovu")

REGIONS: tuple[Region, ...] = (
    Region("us_east", -300, 0.19, (("en", 0.93), ("es", 0.07)), _W_FIRST, _W_LAST,
           ("New York, NY", "Boston, MA", "Atlanta, GA", "Philadelphia, PA", "Miami, FL",
            "Washington, DC", "Ohio, USA", "Charlotte, NC", "Pittsburgh", "NYC", "Virginia")),
    Region("us_central", -360, 0.08, (("en", 0.9), ("es", 0.1)), _W_FIRST, _W_LAST,
           ("Chicago, IL", "Texas, USA", "Houston, TX", "Dallas", "Minneapolis, MN",
            "Kansas City", "Nashville, TN", "Austin, TX")),
    Region("us_west", -480, 0.10, (("en", 0.92), ("es", 0.08)), _W_FIRST, _W_LAST,
           ("Los Angeles, CA", "San Francisco, CA", "Seattle, WA", "Portland, OR",
            "San Diego", "Bay Area", "California, USA", "Las Vegas, NV")),
    Region("uk", 0, 0.11, (("en", 1.0),), _UK_FIRST, _UK_LAST,
           ("London, England", "Manchester", "Glasgow, Scotland", "Leeds", "Bristol, UK",
            "Cardiff, Wales", "Belfast", "United Kingdom", "Birmingham, England")),
    Region("europe", 60, 0.12,
           (("en", 0.35), ("de", 0.2), ("fr", 0.2), ("es", 0.1), ("it", 0.08), ("tr", 0.07)),
           _EU_FIRST, _EU_LAST,
           ("Berlin", "Paris, France", "Madrid", "Amsterdam", "Milano", "München, Deutschland",
            "Lyon", "Warszawa", "Istanbul", "Stockholm", "Wien", "Bruxelles")),
    Region("brazil_latam", -180, 0.10, (("pt", 0.6), ("es", 0.3), ("en", 0.1)), _BR_FIRST,
           _BR_LAST,
           ("São Paulo, Brasil", "Rio de Janeiro", "Belo Horizonte", "Buenos Aires",
            "Ciudad de México", "Bogotá, Colombia", "Santiago, Chile", "Lima, Perú")),
    Region("india", 330, 0.10, (("en", 0.8), ("hi", 0.2)), _IN_FIRST, _IN_LAST,
           ("Mumbai, India", "New Delhi", "Bengaluru", "Hyderabad", "Chennai", "Pune, India",
            "Kolkata", "India")),
    # UTC+8 organic users: office-hours posting from here is not a campaign signal by itself.
    Region("sea_utc8", 480, 0.08, (("en", 0.6), ("zh", 0.25), ("ms", 0.05), ("tl", 0.1)),
           _SEA_FIRST, _SEA_LAST,
           ("Singapore", "Kuala Lumpur", "Hong Kong", "Taipei", "Manila, Philippines",
            "Perth, Western Australia", "Penang", "台北市", "香港")),
    Region("indonesia", 420, 0.04, (("id", 0.8), ("en", 0.2)), _SEA_FIRST, _SEA_LAST,
           ("Jakarta, Indonesia", "Bandung", "Surabaya", "Yogyakarta", "Bangkok")),
    Region("japan_korea", 540, 0.05, (("ja", 0.55), ("ko", 0.3), ("en", 0.15)), _JP_FIRST,
           _JP_LAST, ("Tokyo", "東京都", "Osaka", "Seoul, Korea", "서울", "Busan")),
    Region("africa", 60, 0.03, (("en", 0.9), ("fr", 0.1)), _AF_FIRST, _AF_LAST,
           ("Lagos, Nigeria", "Accra, Ghana", "Nairobi, Kenya", "Johannesburg", "Abuja")),
)

CLIENTS_NOW = (("Twitter for iPhone", 0.38), ("Twitter for Android", 0.33),
               ("Twitter Web App", 0.22), ("Twitter for iPad", 0.03), ("TweetDeck", 0.02),
               ("Tweetbot for iΟS", 0.01), ("Buffer", 0.005), ("Hootsuite Inc.", 0.005))
CLIENTS_OLD = (("Twitter Web Client", 0.45), ("Twitter for BlackBerry®", 0.15),
               ("Twitter for iPhone", 0.15), ("Twitter for Android", 0.12), ("TweetDeck", 0.06),
               ("Echofon", 0.04), ("Mobile Web", 0.03))

BIO_PARTS_EN = ("Coffee lover", "Dog mom", "Proud dad", "Runner", "Bookworm", "Foodie",
                "Tech nerd", "Gamer", "Teacher", "Nurse", "Engineer", "Student", "Photographer",
                "Music is life", "Traveler", "Sports fan", "Designer", "Writer", "Gardener",
                "Cat person", "Yoga", "Living my best life", "Views my own", "Introvert",
                "Sci-fi fan", "Amateur chef", "Marathoner", "Nature lover", "Film buff",
                "Retired", "Small business owner", "Grad student", "Podcast addict")
BIO_EXTRAS = ("🌻", "☕", "🏃‍♀️", "📚", "🎮", "✈️", "🐶", "🌊", "⚽", "🎧", "he/him", "she/her",
              "they/them", "RT ≠ endorsement", "#GoBlue", "est. 1987")
# Prefixes that a spreadsheet would run as a formula; real bios carry them, so the data does.
HOSTILE_BIOS = ("@work: opinions mine", "=^.^= cat stuff", "-- just here to read --",
                "+1 for kindness", "\"quoted\" and 'single' and \\ back")

PHRASES = {
    "en": {
        "open": ("Honestly", "Can't believe", "So", "Just", "Finally", "Ugh", "Wow", "Today",
                 "Not gonna lie,", "Reminder:", "Hot take:", "PSA:", "Lol", "Okay but",
                 "Anyone else think", "Morning!", "Quick thought:", "Update:"),
        "topic": ("the new season of that show", "my morning run", "this weather", "the game "
                  "last night", "the traffic downtown", "my cat", "this coffee", "the new album",
                  "remote work", "the housing market", "the playoffs", "my garden",
                  "the train delays", "this recipe", "the new phone update", "my exam",
                  "the concert tickets", "the election coverage", "gas prices", "the finale",
                  "my sourdough", "the vaccine appointment", "the weekend plans",
                  "spring cleaning", "the local elections", "my new job", "the book club pick",
                  "the transfer window", "the school run", "the rent"),
        "close": ("is everything", "is killing me", "made my day", "is wild", "needs to stop",
                  "is so underrated", "was a mess", "is actually great", "keeps getting worse",
                  "hit different", "deserves more attention", "is a whole mood",
                  "was worth it", "broke me", "is on another level", "and I'm tired"),
        "emoji": ("", "", "", " 😂", " 🙄", " ❤️", " 🔥", " 😭", " 👏", " 🤔", " 🙌", " 💯"),
        "reply": ("Totally agree", "This!", "Haha same", "No way", "Couldn't have said it "
                  "better", "So true", "Wait what", "Thank you for sharing", "Love this",
                  "Hard disagree", "Big if true", "Exactly my point", "Source?",
                  "This is the way", "lmao", "Congrats!!", "Sending love"),
    },
    "es": {"open": ("Hoy", "Buenos días,", "La verdad", "Por fin", "Qué", "Ojo:"),
           "topic": ("el partido de anoche", "el tráfico", "mi café", "la serie nueva",
                     "el calor", "el trabajo", "la fiesta", "mi perro", "las noticias"),
           "close": ("es increíble", "me mata", "está buenísimo", "no tiene sentido",
                     "me alegró el día", "qué horror"),
           "emoji": ("", " 😂", " ❤️", " 🙏"),
           "reply": ("Totalmente", "Jajaja", "Qué bueno", "No puede ser", "Gracias")},
    "pt": {"open": ("Hoje", "Bom dia,", "Gente,", "Finalmente", "Nossa,"),
           "topic": ("o jogo de ontem", "o trânsito", "meu café", "a novela", "esse calor",
                     "o trabalho", "a festa", "meu cachorro", "as notícias"),
           "close": ("é demais", "tá me matando", "foi incrível", "não faz sentido",
                     "melhorou meu dia"),
           "emoji": ("", " 😂", " ❤️", " 🙏"),
           "reply": ("Verdade", "Kkkkk", "Que lindo", "Não acredito", "Obrigado")},
    "fr": {"open": ("Aujourd'hui", "Bon,", "Franchement", "Enfin", "Bref,"),
           "topic": ("le match d'hier", "la météo", "mon café", "la grève", "le boulot",
                     "la série", "les vacances"),
           "close": ("c'est génial", "c'est n'importe quoi", "m'a fait rire", "est trop long"),
           "emoji": ("", " 😂", " ❤️"),
           "reply": ("Exactement", "Mdr", "Trop bien", "Merci")},
    "de": {"open": ("Heute", "Also", "Ehrlich gesagt", "Endlich"),
           "topic": ("das Spiel gestern", "das Wetter", "mein Kaffee", "die Bahn", "die Arbeit",
                     "der Urlaub"),
           "close": ("ist super", "nervt", "war klasse", "ist verrückt"),
           "emoji": ("", " 😂", " 👍"),
           "reply": ("Genau", "Haha", "Danke", "Stimmt")},
    "it": {"open": ("Oggi", "Finalmente", "Ragazzi,"),
           "topic": ("la partita", "il caffè", "il traffico", "il lavoro"),
           "close": ("è fantastico", "è assurdo", "mi ha fatto ridere"),
           "emoji": ("", " 😂", " ❤️"), "reply": ("Esatto", "Ahah", "Grazie")},
    "tr": {"open": ("Bugün", "Sonunda", "Valla"),
           "topic": ("maç", "hava", "kahvem", "trafik", "iş"),
           "close": ("harikaydı", "çok kötü", "beni güldürdü"),
           "emoji": ("", " 😂"), "reply": ("Aynen", "Kesinlikle", "Teşekkürler")},
    "hi": {"open": ("आज", "सच में", "आखिरकार"),
           "topic": ("मैच", "मौसम", "चाय", "ट्रैफिक", "काम"),
           "close": ("बहुत अच्छा था", "बेकार है", "मज़ेदार था"),
           "emoji": ("", " 😂", " 🙏"), "reply": ("बिल्कुल", "सही", "धन्यवाद")},
    "zh": {"open": ("今天", "终于", "说真的", "哈哈"),
           "topic": ("台北的天气", "这杯奶茶", "新剧", "上班通勤", "周末的计划", "考试",
                     "演唱会门票", "房租"),
           "close": ("太好了", "真的很累", "让我笑死", "好无聊", "值得推荐"),
           "emoji": ("", " 😂", " ❤️"), "reply": ("同意", "哈哈哈", "真的吗", "谢谢分享")},
    "ja": {"open": ("今日", "やっと", "正直"),
           "topic": ("天気", "コーヒー", "新しいアニメ", "仕事", "電車"),
           "close": ("最高", "つらい", "面白かった"),
           "emoji": ("", " 😂", " ✨"), "reply": ("わかる", "それな", "ありがとう")},
    "ko": {"open": ("오늘", "드디어", "진짜"),
           "topic": ("날씨", "커피", "드라마", "출근길", "콘서트"),
           "close": ("최고", "힘들다", "재밌었다"),
           "emoji": ("", " ㅋㅋ", " 💜"), "reply": ("맞아요", "ㅋㅋㅋ", "감사합니다")},
    "id": {"open": ("Hari ini", "Akhirnya", "Jujur"),
           "topic": ("macet", "kopi", "cuaca", "kerjaan", "drama baru"),
           "close": ("mantap", "capek banget", "lucu banget"),
           "emoji": ("", " 😂", " 🙏"), "reply": ("Setuju", "Wkwk", "Makasih")},
    "ms": {"open": ("Hari ini", "Akhirnya"), "topic": ("cuaca", "kopi", "kerja"),
           "close": ("best gila", "penat"), "emoji": ("", " 😂"),
           "reply": ("Betul", "Terima kasih")},
    "tl": {"open": ("Grabe", "Sa wakas"), "topic": ("traffic", "kape", "trabaho"),
           "close": ("sobrang saya", "nakakapagod"), "emoji": ("", " 😂"),
           "reply": ("Totoo", "Salamat")},
    "th": {"open": ("วันนี้", "ในที่สุด", "บอกตรงๆ", "เฮ้อ", "ว้าว"),
           "topic": ("รถติดมาก", "อากาศร้อน", "กาแฟแก้วนี้", "ละครเรื่องใหม่", "งานที่ออฟฟิศ",
                     "บอลเมื่อคืน", "ข่าวการเมือง", "สภา", "ค่าครองชีพ", "รถไฟฟ้า"),
           "close": ("ดีมาก", "เหนื่อยสุดๆ", "ตลกมาก", "แย่มาก", "ต้องไปดู"),
           "emoji": ("", " 555", " 😂", " 🙏"),
           "reply": ("เห็นด้วย", "จริง", "ขอบคุณค่ะ", "ขอบคุณครับ", "555")},
}

HASHTAGS = ("NowPlaying", "MondayMotivation", "TBT", "FridayFeeling", "COVID19", "WFH",
            "Football", "NBA", "ClimateAction", "Photography", "BookTwitter", "100DaysOfCode",
            "Gardening", "Foodie", "Travel", "MentalHealth", "Crypto", "GameDev", "Running",
            "Vaccinated", "Marvel", "Eurovision", "Oscars", "F1", "Cricket", "KPop",
            "SaturdayVibes", "Caturday", "WritingCommunity", "Science")
DOMAINS = ("youtube.com/watch", "nytimes.com/2021", "bbc.co.uk/news", "theguardian.com/world",
           "instagram.com/p", "spotify.com/track", "medium.com/@writer", "reddit.com/r/news",
           "cnn.com/2021", "espn.com/story", "github.com/user", "imdb.com/title",
           "amazon.com/dp", "wikipedia.org/wiki", "bloomberg.com/news", "reuters.com/article",
           "tiktok.com/@user", "twitch.tv", "substack.com/p", "lemonde.fr/article")

EXTERNAL_KINDS = (("news", ("Wire", "Daily", "Post", "Times", "Report", "Herald")),
                  ("celebrity", ("Official", "Music", "TV", "")),
                  ("sports", ("FC", "Sports", "Nation", "")),
                  ("brand", ("HQ", "App", "Support", "")))

HEADLINE_SUBJECTS = ("City council", "Central bank", "Health officials", "Scientists", "Lawmakers",
                     "Tech giant", "Airline", "Local school board", "The league", "Researchers",
                     "Police", "Regulators", "Union leaders", "The mayor", "Storm")
HEADLINE_VERBS = ("approves", "rejects", "warns about", "delays", "unveils", "investigates",
                  "cuts", "expands", "debates", "announces", "suspends", "backs")
HEADLINE_OBJECTS = ("new transit plan", "rate decision", "vaccine rollout", "budget deal",
                    "climate targets", "data privacy rules", "summer schedule", "teacher contracts",
                    "playoff format", "housing project", "border measures", "heat warnings",
                    "election timetable", "trade talks", "wildfire response", "chip shortage")
HEADLINE_TAILS = ("", "", ": what it means for you", " — live updates", ", sources say",
                  " after weeks of talks", " amid criticism", "; here's why")

# Persona pools only operations draw from (the classic organic platform does not use them).
_ME_FIRST = ("Omar", "Layla", "Yusuf", "Fatima", "Khalid", "Noor", "Hassan", "Mariam", "Tariq",
             "Huda", "Karim", "Salma", "Faisal", "Rania")
_ME_LAST = ("Al-Harbi", "Haddad", "Nasser", "Khoury", "Mansour", "Saleh", "Farouk", "Aziz",
            "Hamdan", "Rahimi", "Qureshi", "Suleiman")
_RU_FIRST = ("Dmitry", "Anna", "Sergey", "Olga", "Alexei", "Irina", "Nikolai", "Tatiana",
             "Pavel", "Yulia", "Igor", "Svetlana")
_RU_LAST = ("Ivanov", "Smirnova", "Kuznetsov", "Popova", "Volkov", "Sokolova", "Lebedev",
            "Kozlova", "Novikov", "Morozova", "Petrov", "Orlova")
_TH_FIRST = ("Somchai", "Suda", "Nattapong", "Kanya", "Anan", "Ploy", "Thanakorn", "Siriporn",
             "Kittisak", "Pimchanok", "Wichai", "Nok", "Arthit", "Mali")
_TH_LAST = ("Saetang", "Wongsa", "Srisuk", "Chaiyaporn", "Boonmee", "Thongdee", "Jaidee",
            "Suwan", "Rattana", "Kaewkla", "Phrom", "Intharat")
EXTRA_REGIONS: tuple[Region, ...] = (
    # Thai users: the background a Thai operation is embedded in (simulate/embed.py)
    Region("thailand", 420, 0.0, (("th", 0.85), ("en", 0.15)), _TH_FIRST, _TH_LAST,
           ("Bangkok", "กรุงเทพมหานคร", "Chiang Mai", "เชียงใหม่", "Khon Kaen", "Phuket",
            "Thailand", "ประเทศไทย")),
    Region("middle_east", 180, 0.0, (("ar", 0.6), ("en", 0.4)), _ME_FIRST, _ME_LAST,
           ("Riyadh", "Dubai, UAE", "Cairo, Egypt", "Amman", "Doha", "Kuwait")),
    Region("russia", 180, 0.0, (("ru", 0.7), ("en", 0.3)), _RU_FIRST, _RU_LAST,
           ("Moscow", "Санкт-Петербург", "Kazan", "Novosibirsk", "Россия")),
)
