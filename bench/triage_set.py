"""Writes bench/triage_labelled.jsonl: the labelled complaints the assisted-triage bench measures on.

Each complaint is put together from a phrasing of its root cause (written the way customers and
agents write: indirect, never naming the cause), a business's own nouns, an opening and a closing
that carries the severity, and typos. Phrasings and closings are split in two: the test part uses
phrasings and closings the training part never saw, so the figures are for new wording, not for
the same sentences with other nouns.

    python bench/triage_set.py   # deterministic (seeded); rewrites the .jsonl
"""

import json
import random
from pathlib import Path

OUT = Path(__file__).with_name("triage_labelled.jsonl")
TRAIN_PER_CAUSE, TEST_PER_CAUSE = 20, 10

BUSINESSES = {
    "restaurant": {
        "product": "Restaurant dining",
        "thing": [
            "the family meal",
            "my burger meal",
            "the lunch order",
            "our table booking",
            "the kids meals",
        ],
        "place": ["the restaurant", "your branch on the high street", "the drive thru", "the counter"],
        "staff": ["the girl at the till", "the shift manager", "the waiter", "the guy on the counter"],
    },
    "retail": {
        "product": "In-store pickup",
        "thing": ["the winter jacket", "a new kettle", "school shoes", "the sofa", "a coffee machine"],
        "place": ["the store", "your shop in town", "the click and collect desk", "the shop floor"],
        "staff": ["the cashier", "the sales assistant", "the store manager", "the lad at collections"],
    },
    "ecommerce": {
        "product": "Home delivery",
        "thing": ["my parcel", "the headphones", "the order", "the gaming chair", "the phone case"],
        "place": ["your website", "the app", "your online shop", "the chat"],
        "staff": ["customer services", "the chat agent", "the person on the helpline", "your support team"],
    },
    "telecom": {
        "product": "Phone support",
        "thing": [
            "my broadband",
            "the new phone contract",
            "the router",
            "my mobile plan",
            "the fibre upgrade",
        ],
        "place": ["the shop", "your helpline", "the online account", "the app"],
        "staff": ["the advisor on the phone", "the sales rep", "the technician", "the lady in store"],
    },
    "travel": {
        "product": "Mobile app",
        "thing": [
            "our flight",
            "the hotel booking",
            "the train tickets",
            "the package holiday",
            "the airport transfer",
        ],
        "place": ["the check in desk", "your app", "the booking site", "the resort"],
        "staff": ["the rep", "the person at the desk", "the call centre", "the tour guide"],
    },
    "home": {
        "product": "Installation service",
        "thing": [
            "the boiler service",
            "the washing machine install",
            "the kitchen fitting",
            "the new windows",
            "the alarm system",
        ],
        "place": ["your company", "the office", "the booking line", "your website"],
        "staff": ["the engineer", "the fitter", "the office lady", "the installer"],
    },
}

# cause -> (category, usual journey stages, train phrasings, test phrasings). Slots: {thing},
# {place}, {staff}, {price}, {price2}, {days}.
CAUSES = {
    "Delivery time not agreed": (
        "Expectations",
        ["delivery", "fulfilment"],
        [
            "nobody ever told me when {thing} would actually happen, i just assumed this week",
            "i sat at home the whole day waiting for {thing}, took a days holiday for nothing",
            "the site just said soon for {thing}. soon turned out to be three weeks",
            "if id known {thing} takes {days} days i would have gone elsewhere",
            "was never given a day for {thing}, just wait and see apparently",
            "expected {thing} by the weekend, no one said it would be next month",
            "how was i meant to plan around {thing} with no date or time slot",
            "{staff} couldnt tell me even roughly when {thing} would be done",
        ],
        [
            "when i asked {staff} about timing for {thing} they just shrugged and said it depends",
            "booked {thing} for my sons birthday and it came after the party, no date was ever given to us",
        ],
    ),
    "Product functions oversold": (
        "Expectations",
        ["first_use", "before_purchase"],
        [
            "{staff} swore blind {thing} would do everything i need. it does about half",
            "the advert made {thing} look amazing, in real life its nothing like that",
            "i was told {thing} works with what i already have. it doesnt, not even close",
            "paid extra for the premium {thing} because of what was promised and i see no difference",
            "bought {thing} on the strength of the sales pitch and it cant do what i was told",
            "the brochure promised far more than {thing} actually does",
            "{staff} said {thing} had a feature it simply doesnt have",
            "nothing like what was described when i bought {thing}",
        ],
        [
            "the features listed on {place} just arent there when you actually use {thing}",
            "feel a bit conned tbh, {thing} was sold to me as the answer to everything",
        ],
    ),
    "Service conditions unclear": (
        "Expectations",
        ["billing", "after_sales"],
        [
            "nobody mentioned there was a fee to cancel {thing}",
            "turns out {thing} had a minimum term buried in the small print",
            "i couldnt get my money back for {thing} because of some rule no one told me about",
            "apparently the guarantee on {thing} doesnt cover this, where was that written down??",
            "suddenly there is an admin charge on {thing} that nobody explained",
            "found out about the restrictions on {thing} only after paying",
            "the rules for changing {thing} were never explained to me",
            "{staff} never told me about the extra conditions on {thing}",
        ],
        [
            "the terms for {thing} changed half way through and i only found out when the bill came",
            "i had no idea i had to give 48 hours notice, {staff} never said a word",
        ],
    ),
    "No check-in during delivery": (
        "Process",
        ["fulfilment", "delivery"],
        [
            "heard absolutely nothing between paying for {thing} and it finally turning up",
            "i had to chase {place} three times just to find out where {thing} was",
            "no updates no texts nothing, was {thing} even still happening?",
            "tracking for {thing} hasnt moved for a week and not one person has contacted me",
            "radio silence from {place} since i ordered {thing}",
            "nobody kept me in the loop about {thing} at all",
            "not a single email about {thing} until i complained",
            "you went quiet on me for two weeks about {thing}",
        ],
        [
            "would have been nice if someone had let me know {thing} was running behind",
            "i only found out something was wrong with {thing} when i rang up myself",
        ],
    ),
    "No verification before hand-over": (
        "Process",
        ["delivery", "first_use"],
        [
            "{thing} didnt work from the minute we got it, clearly nobody tested it",
            "{staff} left without checking {thing} was actually working",
            "it was obviously damaged before it ever left you, how did no one notice",
            "got {thing} and the seal was already broken and bits were scratched",
            "{thing} was broken straight out of the box",
            "nobody checked {thing} before it was handed over, a part was cracked",
            "the job on {thing} was signed off without anyone trying it",
            "{thing} was given to me in a state that should never have passed",
        ],
        [
            "{staff} said all done and went, ten minutes later the whole thing was leaking",
            "handed over {thing} without even switching it on once, it was dead",
        ],
    ),
    "Slow complaint response": (
        "Process",
        ["after_sales"],
        [
            "i emailed about {thing} two weeks ago and still not a single reply",
            "been on hold forty five minutes every day this week",
            "my complaint about {thing} seems to have gone into a black hole",
            "sent three messages through {place}, only automatic replies back",
            "ten days and counting since i complained about {thing}",
            "nobody at {place} reads the complaints it seems",
            "still waiting for any response to my email about {thing}",
            "you take forever to answer anything",
        ],
        [
            "its been a month since i first reported the problem with {thing} and nobody has got back to me",
            "why does it take this long for anyone to answer one simple question",
        ],
    ),
    "Callback never made": (
        "Process",
        ["after_sales"],
        [
            "{staff} promised to ring me back by 5. still waiting",
            "was told a manager would phone me next day. never happened",
            "they took my number and said someone would call about {thing}. nothing",
            "this is the third time ive been promised a call back",
            "i was told to expect a call about {thing} today, phone never rang",
            "the callback {staff} booked for me didnt happen",
            "promised someone would phone back within the hour, that was yesterday",
            "nobody rang me back like {staff} said they would",
        ],
        [
            "sat by the phone all afternoon like an idiot waiting for you to ring",
            "they said theyd call once they checked with the warehouse, they never did",
        ],
    ),
    "Not empowered to fix": (
        "People",
        ["after_sales", "billing"],
        [
            "{staff} said they would love to help but they arent allowed to",
            "everyone i speak to says its not their department",
            "was told its head offices decision and nobody at {place} can do anything",
            "the manager said his hands were tied on {thing}",
            "{staff} kept saying they had to ask someone higher up",
            "nobody at {place} is allowed to make a decision apparently",
            "they said only the area manager can sort {thing}",
            "{staff} said its above their pay grade to fix {thing}",
        ],
        [
            "they needed sign off from someone who isnt in till monday just to refund {thing}",
            "{staff} agreed i was right but said the system wont let them change it",
        ],
    ),
    "Training gap": (
        "People",
        ["purchase", "after_sales"],
        [
            "{staff} didnt seem to know how {thing} works at all",
            "got three different answers from three different people about {thing}",
            "the new guy had no clue how to process a simple return",
            "they gave me completely wrong information about {thing}",
            "{staff} clearly hadnt been shown how to deal with {thing}",
            "nobody seemed to know the procedure for {thing}",
            "{staff} kept getting the process for {thing} wrong",
            "had to wait while they looked up how {thing} works",
        ],
        [
            "i ended up explaining your own policy to {staff}",
            "{staff} had to ring a colleague to ask what to do every five minutes",
        ],
    ),
    "Wrong person in the role": (
        "People",
        ["purchase", "delivery"],
        [
            "{staff} was rude and clearly didnt want to be there",
            "rolled their eyes at me and walked off mid sentence",
            "the person at {place} was on their phone the entire time i was talking",
            "i was spoken to like i was stupid",
            "the attitude from {staff} was appalling",
            "{staff} could not have cared less and made that obvious",
            "was shouted at by {staff} for asking a question",
            "{staff} sighed and ignored me when i asked about {thing}",
        ],
        [
            "never been treated with such contempt by {staff}",
            "{staff} argued with me in front of other customers, humiliating",
        ],
    ),
    "Defect in our product": (
        "Quality",
        ["first_use", "after_sales"],
        [
            "{thing} stopped working after two days",
            "{thing} is just poor quality, it fell apart almost straight away",
            "{thing} keeps cutting out, totally unreliable",
            "the app freezes every single time i try to pay for {thing}",
            "{thing} broke the first week i had it",
            "{thing} doesnt do the basic thing its meant to, keeps failing",
            "poor build on {thing}, the handle snapped off",
            "{thing} is faulty, wont turn on half the time",
        ],
        [
            "theres a fault with {thing}, it makes a horrible grinding noise",
            "this is the second one ive had and it broke exactly the same way",
        ],
    ),
    "Vendor part failed": (
        "Quality",
        ["delivery", "first_use"],
        [
            "the delivery firm you use left {thing} with some random neighbour",
            "the charger that came with {thing} melted",
            "the outside payment page kept declining my card for {thing}",
            "the subcontractor you sent for {thing} never showed",
            "your courier dumped {thing} on the doorstep in the rain",
            "the supplier part in {thing} gave out after a day",
            "the third party you use for {thing} messed it up completely",
            "the delivery driver you hired damaged {thing}",
        ],
        [
            "the part they fitted in {thing} was faulty from the supplier apparently",
            "the courier chucked {thing} over my gate and it smashed",
        ],
    ),
    "Incomplete order": (
        "Quality",
        ["fulfilment", "delivery"],
        [
            "half of {thing} was missing",
            "{thing} came without the bits that should be in the box",
            "paid for four got three",
            "no instructions or screws in the box for {thing}",
            "{thing} arrived with pieces missing",
            "one of the items from {thing} wasnt in the bag",
            "only got part of {thing}, the rest never turned up",
            "missing bits from {thing}, cant use it",
        ],
        [
            "the drinks we ordered with {thing} never came",
            "they forgot the extras i paid for with {thing}",
        ],
    ),
    "Charged above the menu price": (
        "Pricing",
        ["billing", "purchase"],
        [
            "the board says {price} but i paid {price2} for {thing}",
            "was charged more than what was displayed for {thing}",
            "why is the till price different to the price on the shelf",
            "i got stung an extra {diff} and {staff} just said thats the price now",
            "the price i was charged for {thing} is higher than the one on display",
            "{thing} rang up at more than the advertised price",
            "why did {thing} cost more at the till than on the board",
            "the menu shows one price for {thing} and the card machine another",
        ],
        [
            "my receipt doesnt match the advertised price for {thing} at all",
            "paid over the odds for {thing} compared to whats on the screen, no explanation",
        ],
    ),
    "Promotion not applied": (
        "Pricing",
        ["purchase", "billing"],
        [
            "my discount code didnt work at the checkout for {thing}",
            "the 2 for 1 offer wasnt taken off my bill",
            "my loyalty points werent used even though i asked for them on {thing}",
            "the sale price on {thing} didnt go through",
            "the offer on {thing} wasnt applied at the till",
            "my coupon for {thing} got rejected for no reason",
            "the deal advertised for {thing} didnt come off my total",
            "didnt get the member discount on {thing}",
        ],
        [
            "i had a voucher for {thing} and {staff} wouldnt accept it",
            "the student discount just vanished from my bill",
        ],
    ),
}

OPENINGS = [
    "",
    "Hi, ",
    "Hello ",
    "To whom it may concern, ",
    "ok so ",
    "Customer called: ",
    "Agent note - cust says ",
    "Hiya. ",
    "Im writing because ",
    "Dear sir/madam, ",
]
CONTEXT = [
    "",
    "",
    "Ive been a customer for years. ",
    "This was on saturday. ",
    "Order ref in the email. ",
    "Not the first time. ",
    "We were in a rush already. ",
    "My wife dealt with it originally. ",
]
# severity -> (train closings, test closings)
CLOSINGS = {
    "low": (
        [
            "not a big deal but thought you should know.",
            "just letting you know really.",
            "minor thing.",
            "no need to reply.",
            "its fine, just feedback.",
            "small thing but worth fixing.",
        ],
        ["no rush on this.", "only mentioning it for next time."],
    ),
    "medium": (
        [
            "please sort it out.",
            "can someone look into this",
            "i would like this fixed please.",
            "what are you going to do about it?",
            "please let me know what happens next.",
            "id like an answer.",
        ],
        ["hoping for a reply soon.", "please get back to me."],
    ),
    "high": (
        [
            "absolutely fuming, i want my money back today.",
            "this is unacceptable and i want compensation.",
            "i am so angry right now",
            "furious. refund me now.",
            "appalling service, i want this escalated today.",
            "never again unless you make this right, i want a refund.",
        ],
        ["disgusted, i expect a full refund.", "worst experience ever, sort it NOW"],
    ),
    "critical": (
        [
            "im posting this everywhere online and going to the papers.",
            "my child could have been hurt, this is dangerous.",
            "ive contacted trading standards and a solicitor.",
            "leaving a one star review everywhere and telling all my followers.",
            "this was unsafe, someone could have been injured.",
            "my lawyer will be in touch.",
        ],
        [
            "going on every review site tonight unless fixed. thousands of followers will hear.",
            "this is a safety issue and im reporting you.",
        ],
    ),
}
SEVERITY_MIX = ["low"] * 2 + ["medium"] * 4 + ["high"] * 3 + ["critical"] * 1

# Articles the bench's organisation has written: the cause each one answers.
ARTICLES = {
    "price-change": (
        "Price rise: eco-friendly packaging",
        "Charged above the menu price",
        "Prices rose by 1.25 because of the new eco-friendly packaging; the menu boards change"
        " tomorrow. Till price is right.",
    ),
    "promotions": (
        "Which offers and codes combine",
        "Promotion not applied",
        "Discount codes, vouchers, 2 for 1 and loyalty points: which combine and how to apply them"
        " at the till by hand.",
    ),
    "delivery-windows": (
        "Delivery and booking windows to quote",
        "Delivery time not agreed",
        "Always give the customer a date and time window when they order or book; how long each"
        " service takes.",
    ),
    "callbacks": (
        "Promising a call back",
        "Callback never made",
        "Only promise a call back with a time and book it in the queue so someone rings the customer.",
    ),
    "cancellation": (
        "Cancellation fees, minimum terms and notice",
        "Service conditions unclear",
        "What the cancellation fee, minimum term, notice period and guarantee cover; explain them"
        " before the sale.",
    ),
    "couriers": (
        "When the courier or a supplier lets us down",
        "Vendor part failed",
        "Courier left the parcel with a neighbour or damaged it, a supplier part failed: we"
        " replace at once and claim from them.",
    ),
}


def typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for i, word in enumerate(words):
        if len(word) > 3 and rng.random() < 0.08:
            j = rng.randrange(len(word) - 1)
            kind = rng.choice(["swap", "drop", "double"])
            if kind == "swap":
                word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
            elif kind == "drop":
                word = word[:j] + word[j + 1 :]
            else:
                word = word[:j] + word[j] + word[j:]
            words[i] = word
    text = " ".join(words)
    return text.lower() if rng.random() < 0.3 else text


def complaint(rng, phrasing, business, closing) -> str:
    vocab = BUSINESSES[business]
    price = rng.choice([3.5, 6.95, 8.5, 12.5, 19.99, 45.0])
    diff = rng.choice([1.25, 2.0, 0.8, 5.0])
    core = phrasing.format(
        thing=rng.choice(vocab["thing"]),
        place=rng.choice(vocab["place"]),
        staff=rng.choice(vocab["staff"]),
        price=f"{price:.2f}",
        price2=f"{price + diff:.2f}",
        diff=f"{diff:.2f}",
        days=rng.choice([5, 10, 14, 21]),
    )
    text = f"{rng.choice(OPENINGS)}{rng.choice(CONTEXT)}{core}. {closing}"
    return typo(text, rng)


def build(seed: int = 14) -> list[dict]:
    rng = random.Random(seed)
    items = []
    article_for = {cause: key for key, (_, cause, _) in ARTICLES.items()}
    for cause, (category, stages, train_phrasings, test_phrasings) in CAUSES.items():
        for split, phrasings, count in (
            ("train", train_phrasings, TRAIN_PER_CAUSE),
            ("test", test_phrasings, TEST_PER_CAUSE),
        ):
            for n in range(count):
                business = list(BUSINESSES)[len(items) % len(BUSINESSES)]
                severity = rng.choice(SEVERITY_MIX)
                closing = rng.choice(CLOSINGS[severity][0 if split == "train" else 1])
                items.append(
                    {
                        "split": split,
                        "business": business,
                        "product": BUSINESSES[business]["product"],
                        "text": complaint(rng, phrasings[n % len(phrasings)], business, closing),
                        "root_cause": cause,
                        "category": category,
                        "severity": severity,
                        "journey_stage": rng.choice(stages),
                        "article": article_for.get(cause, ""),
                    }
                )
    return items


if __name__ == "__main__":
    items = build()
    OUT.write_text("".join(json.dumps(item) + "\n" for item in items))
    print(f"{len(items)} complaints -> {OUT}")
