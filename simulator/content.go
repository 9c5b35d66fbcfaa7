package simulator

import "strings"

// niche is a topic community: its hashtags, the words its creators use, the
// brands that sponsor it and what its audience says under posts.
type niche struct {
	name     string
	tags     []string // hashtags, without '#'
	words    []string // handle words
	topics   []string // nouns for captions
	brands   []string
	comments []string // audience remarks specific to the niche
}

var niches = []niche{
	{"veganbaking", []string{"veganbaking", "plantbased", "vegandessert", "bakingfromscratch", "sourdough"},
		[]string{"bakes", "crumbs", "oven", "dough"},
		[]string{"banana bread", "sourdough loaf", "aquafaba meringue", "oat cookies", "cinnamon rolls", "carrot cake", "focaccia"},
		[]string{"Oatfield", "Crumbly Co"},
		[]string{"that crumb looks perfect", "I need the recipe for this", "how long did you proof it?", "did you use aquafaba or flax?", "mine never rises like that", "what flour do you use?", "the glaze is so shiny"}},
	{"trailrunning", []string{"trailrunning", "ultrarunning", "runningcommunity", "mountainrunning", "trailrun"},
		[]string{"trails", "miles", "ridge", "stride"},
		[]string{"ridge loop", "hill repeats", "30k long run", "new trail shoes", "sunrise run", "vertical km"},
		[]string{"TrailForge", "Summit Fuel"},
		[]string{"what's the elevation on that loop?", "those views though", "which shoes are those?", "how do you fuel on long runs?", "that descent looks brutal", "adding this route to my list"}},
	{"plantcare", []string{"plantcare", "houseplants", "monstera", "urbanjungle", "plantparent"},
		[]string{"leaf", "sprout", "jungle", "fern"},
		[]string{"monstera", "pothos cuttings", "repotting day", "fiddle leaf fig", "propagation station", "calathea"},
		[]string{"Mossa", "Greenroom"},
		[]string{"how often do you water it?", "the new leaf is huge", "what soil mix is that?", "mine keeps getting brown tips", "how much light does it get?", "it looks so happy there"}},
	{"homebrewing", []string{"homebrewing", "craftbeer", "homebrew", "brewday", "ipa"},
		[]string{"brew", "hops", "malt", "cask"},
		[]string{"hazy IPA", "brew day", "dry hopping", "saison", "yeast starter", "kegging"},
		[]string{"BrewBuddy", "Hopworks Supply"},
		[]string{"what was the OG on that?", "which hops did you use?", "that colour is spot on", "how long did you ferment?", "share the recipe please", "looks crystal clear"}},
	{"birdwatching", []string{"birdwatching", "birding", "birdphotography", "birds", "wildlife"},
		[]string{"birds", "wings", "heron", "owl"},
		[]string{"kingfisher", "spoonbills", "morning count", "migration", "little owl", "marsh harrier"},
		[]string{"Optiq", "Feathr"},
		[]string{"what a sighting", "which lens was this?", "where was this taken?", "I've never seen one that close", "great timing on that shot", "how long did you wait?"}},
	{"urbansketching", []string{"urbansketching", "usk", "sketchbook", "watercolor", "drawing"},
		[]string{"sketch", "ink", "lines", "paper"},
		[]string{"canal houses", "market square", "fountain pen", "watercolour wash", "cafe corner", "old station"},
		[]string{"Inkwell & Co", "Paperlane"},
		[]string{"love the loose lines", "which pen is that?", "how long did this take?", "the colours are gorgeous", "what paper do you use?", "the perspective is spot on"}},
	{"boardgames", []string{"boardgames", "tabletop", "boardgamenight", "solomode", "meeples"},
		[]string{"meeple", "dice", "tabletop", "turns"},
		[]string{"game night", "solo campaign", "new expansion", "worker placement", "deck builder", "cooperative game"},
		[]string{"Meeple Forge", "Dicebox"},
		[]string{"is it good at two players?", "how long is a full game?", "that table setup is amazing", "worth the expansion?", "adding it to my wishlist", "how's the solo mode?"}},
	{"sustainablefashion", []string{"sustainablefashion", "slowfashion", "secondhand", "thrifted", "mending"},
		[]string{"thrift", "mend", "wardrobe", "linen"},
		[]string{"thrift haul", "visible mending", "capsule wardrobe", "linen shirt", "repair cafe", "secondhand denim"},
		[]string{"Loomwear", "Renew Denim"},
		[]string{"where do you find these?", "that mend is beautiful", "love the colour", "how do you keep it so simple?", "such a good find", "what stitch is that?"}},
	{"analogphotography", []string{"filmphotography", "analogphotography", "35mm", "believeinfilm", "filmisnotdead"},
		[]string{"film", "grain", "frames", "lens"},
		[]string{"Portra 400", "HP5 roll", "darkroom session", "rangefinder", "expired film", "medium format"},
		[]string{"Grainlab", "Silverhalide"},
		[]string{"which film stock?", "that grain is lovely", "home developed?", "what camera is this?", "the light is perfect", "did you push it?"}},
	{"bouldering", []string{"bouldering", "climbing", "climbinggym", "boulder", "crimps"},
		[]string{"crimp", "chalk", "send", "holds"},
		[]string{"V5 project", "new set", "crimpy problem", "outdoor session", "fingerboard", "heel hook"},
		[]string{"Chalkbag Co", "Crimpers"},
		[]string{"congrats on the send", "that heel hook though", "what grade is that?", "my fingers hurt just watching", "which gym is this?", "clean beta"}},
	{"knitting", []string{"knitting", "handknit", "yarnlove", "knittingpattern", "sockknitting"},
		[]string{"yarn", "stitch", "purl", "wool"},
		[]string{"colourwork sweater", "sock yarn", "cable knit", "cast on", "merino", "test knit"},
		[]string{"Woolhaven", "Purl Supply"},
		[]string{"what pattern is this?", "the colours work so well", "which yarn did you use?", "your tension is so even", "how long did it take?", "I need to knit this"}},
	{"aquascaping", []string{"aquascaping", "plantedtank", "aquascape", "nanotank", "shrimptank"},
		[]string{"tank", "scape", "moss", "shrimp"},
		[]string{"nano tank", "carpet plants", "shrimp colony", "hardscape", "CO2 setup", "iwagumi layout"},
		[]string{"Aquaflora", "Scapeworks"},
		[]string{"what light are you running?", "that carpet is so lush", "how many shrimp now?", "which stones are those?", "do you dose ferts?", "so calm to look at"}},
}

// languages and their share of creators.
var languages = []string{"en", "nl", "de", "fr", "es"}
var languageWeights = []float64{0.55, 0.13, 0.12, 0.10, 0.10}

var firstNames = map[string][]string{
	"en": {"Mila", "Jack", "Olivia", "Noah", "Ava", "Leo", "Grace", "Sam", "Ruby", "Finn", "Isla", "Theo", "Maya", "Owen"},
	"nl": {"Sanne", "Daan", "Lotte", "Bram", "Femke", "Joost", "Noor", "Sem", "Eva", "Luuk", "Iris", "Thijs"},
	"de": {"Lena", "Jonas", "Hannah", "Felix", "Marie", "Lukas", "Clara", "Paul", "Greta", "Moritz", "Ida", "Emil"},
	"fr": {"Camille", "Louis", "Chloe", "Hugo", "Lea", "Jules", "Manon", "Arthur", "Ines", "Gabriel", "Zoe", "Remi"},
	"es": {"Lucia", "Mateo", "Sofia", "Pablo", "Carmen", "Diego", "Elena", "Javier", "Marta", "Alvaro", "Irene", "Hugo"},
}

var lastNames = map[string][]string{
	"en": {"Carter", "Hughes", "Bennett", "Walsh", "Reed", "Porter", "Hayes", "Fletcher", "Shaw", "Turner"},
	"nl": {"de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos"},
	"de": {"Schmidt", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Koch", "Richter", "Klein", "Wolf"},
	"fr": {"Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux"},
	"es": {"Garcia", "Martinez", "Lopez", "Sanchez", "Romero", "Navarro", "Torres", "Ruiz", "Moreno", "Ortega"},
}

var cities = map[string][]string{
	"en": {"Bristol", "Leeds", "Portland", "Dublin", "Melbourne", "Austin", "Edinburgh"},
	"nl": {"Utrecht", "Groningen", "Rotterdam", "Gent", "Nijmegen", "Haarlem", "Zwolle"},
	"de": {"Leipzig", "Freiburg", "Hamburg", "Köln", "Graz", "Bremen", "Münster"},
	"fr": {"Lyon", "Nantes", "Lille", "Bordeaux", "Grenoble", "Liège", "Rennes"},
	"es": {"Valencia", "Sevilla", "Bilbao", "Granada", "Zaragoza", "Málaga", "Oviedo"},
}

// botWords name the accounts of engagement-pod rings.
var botWords = []string{"growth", "vibes", "boost", "glow", "viral", "insta", "promo", "daily", "hype", "trend", "mega", "star", "shine", "like", "fame"}

// Captions: {t} and {t2} are niche topics ({T} capitalised).
var captions = map[string][]string{
	"en": {
		"Today's {t} turned out better than expected. Small wins!",
		"Finally tried {t} after weeks of planning. Notes below 👇",
		"{T} or {t2}: which one would you pick?",
		"Quick update on the {t}: still learning, still loving it.",
		"Weekend plans: {t}, coffee, repeat.",
		"Three things I learned from {t} this week.",
		"Can't stop thinking about that {t}. Worth every minute.",
		"Honest notes on my {t} after a month.",
		"Rainy day, so: {t}. No regrets.",
		"First attempt at {t2} went sideways, but the {t} saved the day.",
	},
	"nl": {
		"Vandaag eindelijk {t} geprobeerd. Wat een verschil!",
		"Kleine update over {t}: nog steeds aan het leren.",
		"{T} of {t2}? Ik twijfel nog.",
		"Weekendplannen: {t}, koffie en niks moeten.",
		"Drie dingen die ik deze week leerde van {t}.",
		"Regenachtige dag, dus: {t}. Geen spijt.",
	},
	"de": {
		"Heute endlich {t} ausprobiert. Was für ein Unterschied!",
		"Kurzes Update zu {t}: ich lerne noch.",
		"{T} oder {t2}? Was würdet ihr nehmen?",
		"Wochenendpläne: {t}, Kaffee, wiederholen.",
		"Drei Dinge, die ich diese Woche von {t} gelernt habe.",
	},
	"fr": {
		"Enfin testé {t} aujourd'hui. Quelle différence !",
		"Petite mise à jour sur {t} : j'apprends encore.",
		"{T} ou {t2} ? Vous choisiriez quoi ?",
		"Programme du week-end : {t}, café, et on recommence.",
		"Trois choses apprises grâce à {t} cette semaine.",
	},
	"es": {
		"Hoy por fin probé {t}. ¡Qué diferencia!",
		"Pequeña actualización sobre {t}: sigo aprendiendo.",
		"¿{T} o {t2}? ¿Qué elegiríais?",
		"Planes de finde: {t}, café y repetir.",
		"Tres cosas que aprendí esta semana con {t}.",
	},
}

// Sponsored captions, disclosed: {brand}, {code}, {link}, {t}.
var sponsoredDisclosed = map[string][]string{
	"en": {
		"Paid partnership with {brand}: I've been using their kit for my {t} and honestly love it. Code {code} for 15% off 👉 {link} #ad",
		"Obsessed with the new {brand} range! 🔥 Perfect for {t}. Code {code} = 20% off: {link} #sponsored",
		"Thanks {brand} for sponsoring today's {t}! Grab yours with code {code} 👉 {link} #ad #partner",
	},
	"nl": {
		"In samenwerking met {brand}: al weken gebruik ik dit voor {t} en ik ben fan. Met code {code} krijg je 15% korting 👉 {link} #samenwerking",
		"Betaalde samenwerking met {brand}! Perfect voor {t}. Code {code} = 20% korting: {link} #advertentie",
		"Dankzij {brand} lukt {t} eindelijk. Kortingscode {code} 👉 {link} #samenwerking #advertentie",
	},
	"de": {
		"Bezahlte Partnerschaft mit {brand}: perfekt für {t}. Mit dem Code {code} spart ihr 15% 👉 {link} #werbung",
		"Anzeige | Ich liebe die neue Kollektion von {brand} für {t}! Code {code} für 20% Rabatt: {link} #anzeige",
	},
	"fr": {
		"Partenariat rémunéré avec {brand} : parfait pour {t}. Code {code} pour -15% 👉 {link} #pub",
		"Collaboration commerciale avec {brand} ! Idéal pour {t}. Code {code} : {link} #partenariat #pub",
	},
	"es": {
		"Colaboración pagada con {brand}: ideal para {t}. Código {code} para un 15% de descuento 👉 {link} #publi",
		"¡Me encanta lo nuevo de {brand} para {t}! Código {code} = 20% 👉 {link} #publicidad",
	},
}

// Sponsored captions without a disclosure.
var sponsoredHidden = map[string][]string{
	"en": {"Loving my new {brand} gear for {t}! Use code {code} 👉 {link}", "Game changer for {t}: {brand}. Code {code} at {link}"},
	"nl": {"Helemaal fan van {brand} voor {t}! Code {code} 👉 {link}"},
	"de": {"Mein neues Lieblingsteil von {brand} für {t}! Code {code} 👉 {link}"},
	"fr": {"Je ne quitte plus mon {brand} pour {t} ! Code {code} 👉 {link}"},
	"es": {"¡Mi nuevo favorito de {brand} para {t}! Código {code} 👉 {link}"},
}

var bios = map[string][]string{
	"en": {"{T} enthusiast from {city}. Sharing my {t2} journey.", "{city} | {t} most days | opinions my own", "Learning {t} one mistake at a time. Based in {city}."},
	"nl": {"{T} liefhebber uit {city}. Ik deel mijn {t2} avonturen.", "{city} | bijna dagelijks {t}", "Leer {t} met vallen en opstaan. Woont in {city}."},
	"de": {"{T}-Fan aus {city}. Ich teile meine {t2}-Reise.", "{city} | fast täglich {t}"},
	"fr": {"Passionné·e de {t} à {city}. Je partage mon aventure {t2}.", "{city} | {t} presque tous les jours"},
	"es": {"Apasionada de {t} desde {city}. Comparto mi camino con {t2}.", "{city} | {t} casi a diario"},
}

var bioPromo = map[string]string{
	"en": " | DM for collabs 📩 | code {code}",
	"nl": " | Samenwerken? DM 📩 | code {code}",
	"de": " | Kooperationen per DM 📩 | Code {code}",
	"fr": " | Collabs en DM 📩 | code {code}",
	"es": " | Colaboraciones por DM 📩 | código {code}",
}

var openers = []string{"", "", "Oh wow, ", "Honestly ", "Love this! ", "Okay ", "This is great, ", "Ha, ", "Same here, ", "Wait, "}

// Remarks any audience makes, and second sentences, to vary organic comments.
var genericRemarks = []string{
	"this made my day", "so good", "exactly what I needed today", "bookmarking this", "you make it look easy",
	"I tried this last week and it worked", "need to try this", "what a great idea", "this is gorgeous",
	"your posts always cheer me up", "how do you find the time?", "the detail here is wild", "such a good tip",
	"I love how honest this is", "saw this at exactly the right time", "this is so calming", "okay this is impressive",
}
var secondSentences = []string{
	"How long have you been doing this?", "Where did you learn this?", "Do you have a guide somewhere?",
	"My first try was a disaster haha.", "Going to try it this weekend.", "Would love a longer post about it.",
	"Greetings from a fellow beginner!", "Been following for a while, love your stuff.", "Sharing this with my partner.",
	"Do you do workshops?", "Still thinking about your last post too.", "Can't believe how far you've come.",
}

var questionClosers = []string{"", "", " 🙏", " Thanks!", " 👀"}
var closers = []string{"", "", " 😍", " 🙌", "!", " Thanks for sharing.", " Saving this.", " Any tips?", " 👏"}

// Audience remarks in the creator's language (besides English).
var localComments = map[string][]string{
	"nl": {"Wat mooi!", "Hoe lang heb je daarover gedaan?", "Super tof, dank voor het delen", "Ziet er geweldig uit", "Waar heb je dat gevonden?", "Goed bezig!"},
	"de": {"Wie schön!", "Wie lange hat das gedauert?", "Mega, danke fürs Teilen", "Sieht großartig aus", "Wo hast du das her?"},
	"fr": {"Trop beau !", "Ça t'a pris combien de temps ?", "Merci pour le partage", "Superbe !", "Tu l'as trouvé où ?"},
	"es": {"¡Qué bonito!", "¿Cuánto tardaste?", "Gracias por compartir", "¡Se ve genial!", "¿Dónde lo encontraste?"},
}

// Generic, duplicated, emoji-heavy comments of engagement pods.
var podComments = []string{
	"Great post!", "Love this!", "Amazing 😍", "🔥🔥🔥", "👏👏👏", "So inspiring!", "Nice!", "Wow!",
	"This is everything 🙌", "💯", "❤️❤️❤️", "Awesome content, keep it up!", "Beautiful ✨", "Goals!",
	"Obsessed!", "😍😍", "🙌🙌", "Stunning!", "Yesss 🔥", "Great content 👍",
}

// Low-effort comments from bought or bot-like followers.
var botComments = []string{"Nice 👍", "Follow back?", "Great content! Check my page", "DM me for collab 💰", "🔥", "Cool", "Promote it on my page 🚀", "👍👍", "Interesting", "Wow nice pic"}

var sponsoredReactions = []string{"Is this an ad?", "Does the code still work?", "Used your code, thanks!", "Bit too many ads lately tbh", "Is it worth the price?", "Ordered one!"}

var sideReplies = []string{"+1, wondering the same", "Same question!", "Agreed!", "Following for the answer", "This 👆", "Haha exactly"}

var answers = map[string][]string{
	"en": {"Thank you so much!", "Thanks {name}! Took me a few tries 😅", "Great question: it's mostly patience and notes.", "Haha yes, exactly!", "Appreciate it 🙏", "Glad you like it!", "Not yet, but soon!", "I'll share the details in the next post.", "Start small and keep notes, that's all I do."},
	"nl": {"Dankjewel!", "Dank je {name}! Het kostte een paar pogingen 😅", "Goeie vraag: vooral geduld.", "Haha ja, precies!", "Fijn dat je het mooi vindt!"},
	"de": {"Danke dir!", "Danke {name}! Hat ein paar Versuche gebraucht 😅", "Gute Frage: vor allem Geduld.", "Haha ja, genau!"},
	"fr": {"Merci beaucoup !", "Merci {name} ! Il m'a fallu quelques essais 😅", "Bonne question : surtout de la patience.", "Haha oui, exactement !"},
	"es": {"¡Muchas gracias!", "¡Gracias {name}! Me costó varios intentos 😅", "Buena pregunta: sobre todo paciencia.", "¡Jaja sí, exacto!"},
}

var podAnswers = []string{"🙏", "❤️", "Thanks babe!", "🙌", "Thank you!! 💕", "🔥🙏"}

var followUps = []string{"Thanks, that helps!", "Makes sense, will try that", "Haha ok, good to know", "Can't wait!", "Oh nice, thank you 🙏", "Trying it this weekend"}

// fill replaces {key} placeholders.
func fill(tmpl string, kv ...string) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	pairs := make([]string, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, "{"+kv[i]+"}", kv[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(tmpl)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// slug lowercases s and keeps only letters and digits.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == 'é' || r == 'è':
			b.WriteByte('e')
		case r == 'ö':
			b.WriteByte('o')
		case r == 'ü':
			b.WriteByte('u')
		}
	}
	return b.String()
}

// extractTags returns the hashtags in text, without '#', in order.
func extractTags(text string) []string {
	var tags []string
	for i := 0; i < len(text); i++ {
		if text[i] != '#' || (i > 0 && isTagByte(text[i-1])) {
			continue
		}
		j := i + 1
		for j < len(text) && isTagByte(text[j]) {
			j++
		}
		if j > i+1 {
			tags = append(tags, text[i+1:j])
		}
		i = j - 1
	}
	return tags
}

func isTagByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}
