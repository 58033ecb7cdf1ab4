#!/usr/bin/env python3
"""Writes the bundled caption corpus (the PromptCorpus module, shared by the vision and text plugins).

Every word list and sentence pattern below was written for Organic, so the corpus is ours to
redistribute (same licence as the repository). Output is deterministic for a given --seed.

    python3 Tools/make_caption_corpus.py > Sources/Plugins/PromptCorpus/Resources/captions.txt

One caption a line; the PromptCorpus module ships the file as a resource (``BundledCaptions``).
"""
import random
import sys

ADJ = ["old", "tiny", "giant", "quiet", "rusty", "golden", "silver", "wooden", "glass", "paper", "mossy", "sleepy",
       "curious", "ancient", "modern", "colourful", "faded", "shiny", "snowy", "sunlit", "misty", "crooked", "lonely",
       "busy", "floating", "broken", "gentle", "wild", "striped", "spotted", "velvet", "marble", "copper", "neon",
       "frozen", "blooming", "weathered", "painted", "hollow", "bright"]
NOUN = ["lighthouse", "fox", "teapot", "village", "robot", "pond", "caravan", "boat", "bicycle", "castle", "owl",
        "tram", "bridge", "windmill", "cat", "dog", "horse", "whale", "tree", "garden", "library", "market", "train",
        "kite", "violin", "lantern", "mountain", "river", "forest", "cabin", "tower", "greenhouse", "bakery", "harbour",
        "balloon", "deer", "rabbit", "heron", "tortoise", "clock", "staircase", "temple", "farmhouse", "submarine",
        "airship", "mushroom", "cactus", "sunflower", "waterfall", "canyon"]
PEOPLE = ["an old fisherman", "a young painter", "a street musician", "a tired astronaut", "two children",
          "a gardener", "a baker", "a knight", "a dancer", "a shepherd", "a cyclist", "a watchmaker", "a sailor",
          "a librarian", "a climber", "a beekeeper"]
VERB = ["standing", "sleeping", "resting", "waiting", "glowing", "drifting", "hiding", "perched", "shining",
        "leaning", "floating", "sitting", "spinning", "growing", "reflected"]
ACTION = ["reading a map", "playing the violin", "carrying a lantern", "feeding the birds", "painting the sea",
          "fixing a bicycle", "watching the stars", "flying a kite", "selling apples", "crossing a bridge",
          "walking a dog", "picking flowers", "building a sandcastle", "drinking tea", "writing a letter"]
PREP = ["on", "near", "beside", "under", "above", "behind", "in front of", "inside", "across", "along"]
PLACE = ["a hill", "the beach", "a quiet street", "the harbour", "a snowy field", "an old bridge", "a city square",
         "a forest clearing", "the riverbank", "a rooftop", "a desert road", "a mountain lake", "a crowded market",
         "a train station", "a flower meadow", "the edge of a cliff", "a misty valley", "a small island"]
TIME = ["at dawn", "at dusk", "at golden hour", "at night", "in the rain", "in heavy fog", "under a starry sky",
        "in spring", "in late autumn", "on a winter morning", "after a storm", "at noon", "under a full moon"]
STYLE = ["watercolor painting", "oil painting", "pencil sketch", "isometric illustration", "studio photograph",
         "cinematic still", "children's book illustration", "vintage postcard", "digital art", "linocut print",
         "pastel drawing", "3d render", "ink drawing", "polaroid photo", "low poly art", "mosaic"]
DETAIL = ["highly detailed", "soft light", "wide angle", "sharp focus", "warm colours", "cool tones", "minimalist",
          "dramatic shadows", "shallow depth of field", "vibrant", "muted palette", "dreamy atmosphere",
          "high contrast", "film grain", "symmetrical composition"]
COLOR = ["red", "blue", "green", "yellow", "orange", "purple", "teal", "pink", "white", "black", "grey", "amber"]


def a(noun_phrase):
    return ("an " if noun_phrase[0] in "aeiou" else "a ") + noun_phrase


def pick(r, xs):
    return xs[r.randrange(len(xs))]


def caption(r):
    thing = a(f"{pick(r, ADJ)} {pick(r, NOUN)}")
    coloured = a(f"{pick(r, COLOR)} {pick(r, NOUN)}")
    patterns = [
        lambda: f"{thing} {pick(r, VERB)} {pick(r, PREP)} {pick(r, PLACE)} {pick(r, TIME)}",
        lambda: f"{pick(r, PEOPLE)} {pick(r, ACTION)} {pick(r, PREP)} {pick(r, PLACE)}",
        lambda: f"{a(pick(r, STYLE))} of {thing} {pick(r, TIME)}, {pick(r, DETAIL)}",
        lambda: f"{coloured} {pick(r, VERB)} {pick(r, PREP)} {thing}",
        lambda: f"{pick(r, PEOPLE)} {pick(r, ACTION)} {pick(r, TIME)}, {pick(r, STYLE)}",
        lambda: f"close up of {thing} with {pick(r, COLOR)} details, {pick(r, DETAIL)}",
        lambda: f"{thing} and {a(pick(r, ADJ) + ' ' + pick(r, NOUN))} {pick(r, PREP)} {pick(r, PLACE)}",
        lambda: f"view of {pick(r, PLACE)} {pick(r, TIME)} with {thing} in the distance, {pick(r, DETAIL)}, {pick(r, DETAIL)}",
        lambda: f"{thing} {pick(r, VERB)} {pick(r, TIME)}, {pick(r, STYLE)}, {pick(r, DETAIL)}",
    ]
    return pick(r, patterns)()


def main():
    seed = 19
    count = 6000
    r = random.Random(seed)
    seen = set()
    lines = []
    while len(lines) < count:
        c = caption(r)
        if c not in seen:
            seen.add(c)
            lines.append(c)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
