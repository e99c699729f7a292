"""Everything the bot says, in one place (plain text; adapters add their own formatting)."""

from __future__ import annotations

from core.comparison import Comparison
from core.numbers import probability
from core.pic import percent

WELCOME = (
    "Hello! I compare two face photos and tell you whether they show the same person, how "
    "sure I am, and why: heatmaps of the parts of each face that drove the decision, a table "
    "that scores nine facial regions, and answers to your questions about all of it.\n"
    "Send me the first photo to begin (or two photos together). /help lists the commands."
)

PRIVACY = (
    "Privacy: face photos are biometric data. I use your photos only to make this comparison; "
    "I do not keep the photos or the face templates. I keep the results (decision, scores, "
    "region table), your questions and my answers, under a pseudonym, so the service can be "
    "audited; they are deleted after the retention period. Send /forget at any time to delete "
    "everything about you."
)

CONSENT_ASK = "Do you agree that I process the face photos you send for this comparison?"
CONSENT_BUTTON = "I agree"
CONSENT_NEEDED = (
    "Before I look at any photo I need your consent. Press \"I agree\" or send /agree "
    "(see /privacy). I will hold on to the photo you sent until then."
)
CONSENT_HOLDING = "I will hold on to the photo you sent until you agree."
CONSENT_IMPLIED = "By sending a photo you agree that I process it for this comparison."
CONSENT_THANKS = "Thank you, noted. Send me the first photo (or two photos together)."
CONSENT_ALREADY = "You have already agreed. Send me a photo whenever you like."

HELP = (
    "How it works: send two face photos (one after the other, or together). I reply with the "
    "decision at once, then heatmaps and a region table. Then ask me anything about it, e.g. "
    "\"why?\" or \"which region mattered most?\".\n"
    "Commands:\n"
    "/start - what I do\n"
    "/help - this message\n"
    "/new - forget the current photos and start a new comparison\n"
    "/explain - show the heatmap collage again\n"
    "/table - show the region table again\n"
    "/describe - describe what each face template encodes (when available)\n"
    "/why - show which facts the last answer came from\n"
    "/privacy - what I keep and for how long\n"
    "/forget - delete everything I stored about you\n"
    "/agree - give your consent to process photos"
)

GOT_FIRST = "Got it: {faces}. Now send the second photo."
STARTING_NEXT = "That starts a new comparison (number {number}); the previous one is finished."
ALBUM_REPLACES_FIRST = (
    "You sent two photos together, so I compare those two and set aside the photo you sent before."
)
TOO_MANY_PHOTOS = (
    "I compare exactly two photos at a time, and you sent {count}. Please send two photos "
    "(together or one after the other)."
)
STILL_EXPLAINING = (
    "I am still making the heatmaps for the two photos you sent, so I did not use this photo. "
    "Send it again when they are ready to start a new comparison, or send /new to stop now."
)
PHOTO_ERROR = "Photo {number}: {message}"
KEEPING_FIRST = "I still have your first photo; send another second photo."
EXPLAINING = "Making the heatmaps and the region table (this takes a little while)..."
EXPLAIN_DONE = "Heatmaps ready."
EXPLAIN_STOPPED = "Stopped making the heatmaps."
EXPLAIN_FAILED = "I could not make the heatmaps: {message} The decision above still stands."
COLLAGE_CAPTION = (
    "Heatmaps of each face (columns: the five saliency methods). Red = the parts that drove "
    "the similarity most, blue = least."
)
TABLE_TITLE = "Region table for both photos (1 = most important, 5 = least)"

NO_PHOTOS_YET = (
    "I can answer questions once I have compared two photos. Send me the first face photo."
)
ONLY_FIRST_YET = "I have your first photo. Send the second one, then ask me about the result."
NO_COMPARISON = "There is no comparison yet. Send me two face photos first."
NO_EXPLANATION = (
    "There are no heatmaps for this comparison (they could not be made). Send the photos "
    "again to try once more."
)
BUSY = (
    "I am busy: {ahead} comparisons are ahead of yours, about {minutes} min of work. I kept "
    "your first photo; please send the second one again in {minutes} min."
)
CONTINUING = "Continuing your comparison of {when} — ask away, or send new photos."
FIRST_LOST = (
    "The service restarted before your second photo arrived, and photos are only ever kept in "
    "memory, so I no longer have your first one. Please send the first one again."
)
HEATMAPS_INTERRUPTED = (
    "The heatmaps for this comparison were interrupted when the service restarted. The "
    "decision stands and you can ask about it; send the two photos again for the heatmaps."
)
COLLAGE_EXPIRED = (
    "I no longer keep the heatmap image of this comparison (it is deleted after a while); "
    "/table and your questions still work. Send the photos again for new heatmaps."
)
NO_DESCRIPTIONS = (
    "Attribute descriptions (what the face templates encode in words) are not available "
    "with the current models."
)
NEW_STARTED = "OK, starting over. Send me the first photo."
FORGOTTEN = (
    "Done: I deleted everything I had stored about you ({what}). This conversation starts "
    "afresh; send /start to begin again."
)
FORGOTTEN_NOTHING = "I had nothing stored about you. Your photos were never kept."
UNKNOWN_COMMAND = "I don't know the command /{name}. Send /help to see what I can do."
UNKNOWN_BUTTON = "That button is no longer active."
EMPTY_TEXT = "Send me a face photo, a question, or /help."

SUGGESTED_QUESTIONS = (
    "Why did you decide that?",
    "How sure are you?",
    "Which region mattered most?",
    "What does the PIC-score mean?",
)


def faces_found(count: int) -> str:
    if count <= 1:
        return "I found a face"
    return (f"I found {count} faces and will use the largest one (crop the photo and send it "
            "again if you meant someone else)")


def verification_text(comparison: Comparison) -> str:
    """The decision, its PIC confidence, the score and the faces found: the one formatter of a
    decision (every chat platform, the console, ``facexplain compare`` and ``explain``)."""
    verdict = "SAME PERSON" if comparison.same_person else "DIFFERENT PEOPLE"
    lines = [
        f"Decision: {verdict}",
        f"Confidence: {percent(comparison.confidence)} (PIC-score {probability(comparison.pic)})",
        f"Similarity: {comparison.score:.3f} (threshold {comparison.threshold:.3f})",
    ]
    for key, label in (("A", "Photo 1"), ("B", "Photo 2")):
        found = comparison.faces[key].faces_found
        extra = " (I used the largest)" if found > 1 else ""
        lines.append(f"{label}: {found} face{'s' if found != 1 else ''} found{extra}")
    lines.append(comparison.confidence_sentence)
    return "\n".join(lines)


def progress_text(stage: str, done: int, total: int) -> str:
    names = {"photo": "Reading the photo", "verify": "Comparing the faces",
             "saliency": "Making the heatmaps", "render": "Drawing the collage"}
    share = f" {done / total:.0%}" if total > 0 else ""
    return f"{names.get(stage, stage.capitalize())}...{share}"


def forgotten_text(deleted: dict[str, int]) -> str:
    parts = [f"{n} {what[:-1] if n == 1 and what.endswith('s') else what}"
             for what, n in deleted.items() if n]
    return FORGOTTEN.format(what=", ".join(parts) or "no records")
