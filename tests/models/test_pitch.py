"""The composed pitch: planned slots, the model's pieces kept only when they pass the rules and the judge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from models.drafting import ExtractiveDrafter, LLMDrafter
from models.pipeline import Pipeline, PipelineConfig
from models.text import complete_sentence
from models.types import PostIt
from models.verification import Verifier
from tests.fakes import HashingEmbedder, ScriptedGenerator

GROUPS = [("v", "Des pistes cyclables vélo sécurisées"), ("b", "Une navette de bus vers la gare"),
          ("j", "Des jardins partagés potagers"), ("c", "Des composteurs collectifs déchets")]
ACTIONS = {"v": "Sécuriser les pistes cyclables", "b": "Créer une navette vers la gare",
           "j": "Ouvrir des jardins partagés", "c": "Installer des composteurs collectifs"}


def _postits() -> list[PostIt]:
    return [PostIt(f"{t}{i}", f"{text} {w}", "Cadre de vie", 4 - n)
            for n, (t, text) in enumerate(GROUPS) for i, w in enumerate(["partout", "vite", "ensemble", "demain"])]


def _judge_only(generator: ScriptedGenerator) -> Verifier:
    """The scripted judge alone decides: the hashing embedder scores words, not meaning, so a
    paraphrase would read as drifted (no support floor, no similarity in the judge score)."""
    return Verifier(HashingEmbedder(), generator, support_threshold=-1.0, agreement_threshold=0.6,
                    similarity_weight=0.0)


def _german_axis(groups: list[tuple[str, str]], replies: dict[str, str]) -> tuple[dict[str, Any], ScriptedGenerator]:
    """One German "Energie" axis of four post-its per group (heaviest first), drafted by a model that
    answers ``replies[k]`` when its last message names ``k``, and judged by a judge saying yes."""
    postits = [PostIt(f"{t}{i}", f"{text} {w}", "Energie", len(groups) - n)
               for n, (t, text) in enumerate(groups) for i, w in enumerate(["bald", "überall", "gemeinsam", "jetzt"])]

    def reply(messages: list[dict[str, str]]) -> str:
        return next((a for k, a in replies.items() if k in messages[-1]["content"]), "")

    return _one_axis(postits, reply, "de")


def _one_axis(postits: list[PostIt], reply: Callable[[list[dict[str, str]]], str],
              language: str) -> tuple[dict[str, Any], ScriptedGenerator]:
    """The synthesis of one axis' ``postits`` drafted by a model answering ``reply`` and judged by a
    judge saying yes; with the generator, to read what it was sent."""
    generator = ScriptedGenerator(reply, lambda messages: 0.95)
    pipeline = Pipeline(HashingEmbedder(), LLMDrafter(generator), PipelineConfig(language=language),
                        _judge_only(generator))
    [axis] = pipeline.run(postits).to_dict()["axes"]
    return axis, generator


WRITING = PipelineConfig(write_pitch=True, name_themes=True)  # the model writes pitch pieces and theme names


def _run(reply_for: dict[str, str], reject: str = "",
         config: PipelineConfig = WRITING) -> tuple[dict[str, Any], ScriptedGenerator]:  # type: ignore[type-arg]
    def reply(messages: list[dict[str, str]]) -> str:
        content = messages[-1]["content"]
        for key, answer in reply_for.items():
            if key in content:
                return answer
        for tag, text in GROUPS:
            if text in content:
                return ACTIONS[tag]
        return ""

    def agree(messages: list[dict[str, str]]) -> float:
        return 0.05 if reject and reject in messages[-1]["content"] else 0.95

    generator = ScriptedGenerator(reply, agree)
    verifier = _judge_only(generator)
    [axis] = Pipeline(HashingEmbedder(), LLMDrafter(generator), config, verifier).run(_postits()).to_dict()["axes"]
    return axis, generator


def test_by_default_the_pitch_is_composed_and_themes_named_without_a_model_call() -> None:
    axis, generator = _run({"titre de thème": "Cadre de vie partagé.", "ambition": "Notre ambition est de tout."},
                           config=PipelineConfig())
    asked = " ".join(m[-1]["content"] for m in generator.sent)
    assert "titre de thème" not in asked and "ambition" not in asked and "Deux actions" not in asked
    sentences = axis["pitch"]["sentences"]
    assert 3 <= len(sentences) <= 5 and all(s["template"] and s["verdict"] == "supported" for s in sentences)
    assert sentences[0]["text"] == "Sécuriser les pistes cyclables : voilà l'ambition que se donne la salle."
    key_points = {k["id"]: k["text"] for k in axis["key_points"]}
    # a theme is named by its heaviest key point, without its full stop
    assert all(t["name"] + "." == key_points[t["key_points"][0]] for t in axis["themes"])
    assert not generator.judged or all(s["text"] not in " ".join(m[-1]["content"] for m in generator.judged)
                                       for s in sentences)


def test_consecutive_axes_pitches_end_on_different_words() -> None:
    """Ten pitches read out one after another all ended "voilà l'ambition que se donne la salle",
    "c'est ce que la salle demande d'abord", "la salle y tient aussi": odd-numbered axes take each
    template's second wording (prompts/pitch/compose.fr.txt), key points said the same way."""
    generator = ScriptedGenerator(lambda m: next((ACTIONS[t] for t, x in GROUPS if x in m[-1]["content"]), ""),
                                  lambda m: 0.95)
    postits = [*_postits(), *(PostIt(f"q{p.id}", p.text, "Quartier", p.votes) for p in _postits())]
    axes = Pipeline(HashingEmbedder(), LLMDrafter(generator), PipelineConfig(),
                    _judge_only(generator)).run(postits).to_dict()["axes"]
    first, second = ([s["text"] for s in a["pitch"]["sentences"]] for a in axes)
    assert [a["name"] for a in axes] == ["Cadre de vie", "Quartier"]
    assert first[0] == "Sécuriser les pistes cyclables : voilà l'ambition que se donne la salle."
    assert second[0] == "Sécuriser les pistes cyclables : c'est le cap que se fixe la salle."
    assert len(first) == len(second) and not set(first) & set(second)
    assert all(a.split(" : ")[0] == b.split(" : ")[0] for a, b in zip(first, second, strict=True))


def test_key_points_are_grouped_into_named_themes_and_the_pitch_opens_on_an_ambition() -> None:
    axis, _ = _run({"titre de thème": "Cadre de vie partagé.",
                    "ambition": "Notre ambition est de rendre le cadre de vie plus sûr et plus partagé."})
    assert len(axis["key_points"]) == 4 and 2 <= len(axis["themes"]) <= 3
    theme_ids = {t["id"] for t in axis["themes"]}
    assert all(k["theme"] in theme_ids for k in axis["key_points"])
    assert sorted(k for t in axis["themes"] for k in t["key_points"]) == sorted(k["id"] for k in axis["key_points"])
    first = axis["pitch"]["sentences"][0]
    assert first["text"].startswith("Notre ambition est de") and not first["template"]
    assert 3 <= len(axis["pitch"]["sentences"]) <= 5
    assert all(complete_sentence(s["text"]) and s["key_points"] and s["citations"] for s in axis["pitch"]["sentences"])
    assert not any(s["quoted"] for s in axis["pitch"]["sentences"])


def test_a_piece_that_fails_a_rule_or_the_judge_takes_its_template() -> None:
    # the fused sentence copies a key point (a rule) and the ambition is judged unfaithful
    axis, _ = _run({"Deux actions": "La salle propose aussi de créer une navette vers la gare.",
                    "ambition": "Notre ambition est de supprimer les vélos."}, reject="supprimer les vélos")
    sentences = axis["pitch"]["sentences"]
    assert all(s["template"] for s in sentences)
    assert sentences[0]["text"] == "Sécuriser les pistes cyclables : voilà l'ambition que se donne la salle."
    assert "supprimer" not in axis["pitch"]["text"]
    assert all(s["verdict"] == "supported" for s in sentences)


def test_a_template_sentence_takes_its_key_points_verdict_without_asking_the_judge() -> None:
    axis, generator = _run({"ambition": "Notre ambition est de supprimer les vélos."}, reject="supprimer les vélos")
    ambition = axis["pitch"]["sentences"][0]
    assert ambition["template"] and ambition["verdict"] == "supported"
    [kp] = [k for k in axis["key_points"] if k["id"] in ambition["key_points"]]
    assert ambition["support"] == kp["support"]
    judged = [m[-1]["content"] for m in generator.judged]
    assert any("supprimer les vélos" in q for q in judged)  # the model's piece was judged
    assert not any(ambition["text"] in q for q in judged)  # its template was not


def test_a_fused_sentence_that_passes_is_kept_and_cites_both_key_points() -> None:
    fused = "La salle propose aussi de créer une navette vers la gare ainsi que d'installer des composteurs collectifs."
    axis, generator = _run({"Deux actions": fused})
    kept = [s for s in axis["pitch"]["sentences"] if s["text"] == fused]
    assert kept and len(kept[0]["key_points"]) == 2 and not kept[0]["template"]
    asked = [m[-1]["content"] for m in generator.sent if "Deux actions" in m[-1]["content"]]
    assert asked and all("<<<" in a and ">>>" in a for a in asked)  # key points are fenced data too


def test_a_model_free_drafter_keeps_the_quoted_pitch() -> None:
    [axis] = Pipeline(HashingEmbedder(), ExtractiveDrafter()).run(_postits()).to_dict()["axes"]
    sentences = axis["pitch"]["sentences"]
    assert sentences and all(s["quoted"] for s in sentences) and len(sentences) <= 4


def test_a_theme_is_named_by_a_short_reading_of_its_heaviest_key_point() -> None:
    """A theme's name heads its key points in the exports and badges each on the review page: the
    heaviest key point whole was a 15–21-word quote there (the sample's « Il faut que la réparation
    d'appareils … »). Each quote here is 12 words or more; each name is its action up to a place."""
    places = {"v": "Sécuriser les pistes cyclables dans tous les quartiers de la ville et autour des écoles",
              "b": "Créer une navette de bus vers la gare dans chaque village du canton le matin",
              "j": "Ouvrir des jardins partagés potagers dans les cours des immeubles et sur les toits",
              "c": "Installer des composteurs collectifs de déchets dans chaque rue et chaque résidence du quartier"}
    postits = [PostIt(f"{t}{i}", f"{text} {w}.", "Cadre de vie", 4 - n) for n, (t, text) in enumerate(places.items())
               for i, w in enumerate(["partout", "vite", "ensemble", "demain"])]
    [axis] = Pipeline(HashingEmbedder(), ExtractiveDrafter()).run(postits).to_dict()["axes"]
    assert all(len(k["text"].split()) > 12 for k in axis["key_points"]) and axis["themes"]
    heads = {text.split(" dans ")[0] for text in places.values()}
    assert all(t["name"] in heads for t in axis["themes"]), axis["themes"]
    assert len({t["name"] for t in axis["themes"]}) == len(axis["themes"])


def test_a_themes_later_key_points_are_said_too_up_to_five_sentences() -> None:
    from models.pitch import plan
    from models.types import Axis, KeyPoint, Sentence, Theme
    from prompts import load_templates

    places = ["un tiers-lieu", "une ressourcerie", "un jardin partagé", "une maison des jeunes", "un fablab",
              "une cantine solidaire", "un atelier vélo"]
    kps = [KeyPoint(f"k{i}", f"c{i}", Sentence(f"Créer {p} au bourg.", [f"p{i}"])) for i, p in enumerate(places)]
    themes = [Theme("t1", "Lieux", ["k0", "k1", "k2", "k3"]), Theme("t2", "Outils", ["k4", "k5", "k6"])]
    slots = plan(Axis("A"), kps, themes, "fr", load_templates("fr")[1])
    # the ambition says the heaviest (k0); each theme then its two heaviest left; the rest two by two
    assert [[k.id for k in s.key_points] for s in slots] == [["k0"], ["k1", "k2"], ["k4", "k5"], ["k3", "k6"]]


def test_a_key_point_that_is_not_an_action_is_written_again() -> None:
    axis, generator = _run({"ne rend pas fidèlement": "Sécuriser les pistes cyclables",
                            "Des pistes cyclables vélo sécurisées": "Les pistes cyclables sont dangereuses"})
    texts = [k["text"] for k in axis["key_points"]]
    assert "Sécuriser les pistes cyclables." in texts and not any("dangereuses" in t for t in texts)
    retries = [m for m in generator.sent if "ne rend pas fidèlement" in m[-1]["content"]]
    assert len(retries) == 1 and "dangereuses" in retries[0][-1]["content"]  # only the claim, asked once


def test_a_key_point_still_no_action_after_its_second_try_takes_its_quote_and_fills_the_pitch() -> None:
    """Make.org: "Élevage en petite structure." stood for a lone proposal with 1,369 votes asking to ban
    battery farming, the ban lost, and its axis' pitch had two sentences. The quote less its asides
    is one action phrase: it becomes the key point, and, voted for, the pitch's third sentence."""
    ban = ("Il faut interdire l'élevage en batterie (intensif, surpeuplé, aux hormones, entassé) au "
           "profit de l'élevage en petite structure (raisonné ou bio)")
    postits = [PostIt("e0", ban, "Agriculture", 40)]
    for tag, text in (("t", "Des tracteurs électriques partagés"), ("b", "Une navette de bus vers la gare")):
        postits += [PostIt(f"{tag}{i}", f"{text} {w}", "Agriculture", 3) for i, w in enumerate(["partout", "vite"])]

    def reply(messages: list[dict[str, str]]) -> str:
        content = messages[-1]["content"]
        if "levage" in content:
            return "Élevage en petite structure"
        return "Partager des tracteurs électriques" if "tracteurs" in content else "Créer une navette vers la gare"

    generator = ScriptedGenerator(reply, lambda messages: 0.95)
    pipeline = Pipeline(HashingEmbedder(), LLMDrafter(generator), PipelineConfig(), _judge_only(generator))
    [axis] = pipeline.run(postits).to_dict()["axes"]
    [lone] = [k for k in axis["key_points"] if k["cluster_id"] is None]
    quote = "Interdire l'élevage en batterie au profit de l'élevage en petite structure"
    assert lone["text"] == f"«\u00a0{quote}.\u00a0»" and lone["quoted"] and lone["citations"] == ["e0"]
    assert any("Élevage en petite structure" in m[-1]["content"] for m in generator.sent)  # asked again first
    sentences = axis["pitch"]["sentences"]
    assert len(sentences) == 3 and sentences[2]["text"] == f"{quote} : la salle y tient aussi."
    assert sentences[2]["key_points"] == [lone["id"]] and sentences[2]["citations"] == ["e0"]
    assert not any(quote in m[-1]["content"] for m in generator.sent)  # a lone idea's sentence is never asked


def test_a_key_point_that_stops_where_its_postit_goes_on_is_quoted_without_a_second_try() -> None:
    """Make.org: "Établir une TVA allégée sur les produits made in France et les produits conçus."
    for "… conçus en économie circulaire": the model copied its post-it and stopped."""
    tva = ("Il faut établir une TVA allégée sur les produits made in France et les produits conçus en "
           "économie circulaire ou en upcycling")  # over 15 words: not taken as it is, drafted
    postits = [PostIt(f"t{i}", f"{tva} {w}", "Économie", 5) for i, w in enumerate(["partout", "vite", "ensemble"])]
    postits += [PostIt(f"b{i}", f"Une navette de bus vers la gare {w}", "Économie", 2)
                for i, w in enumerate(["partout", "vite"])]

    def reply(messages: list[dict[str, str]]) -> str:
        content = messages[-1]["content"]
        if "TVA" in content:
            return "Établir une TVA allégée sur les produits made in France et les produits conçus"
        return "Créer une navette vers la gare"

    generator = ScriptedGenerator(reply, lambda messages: 0.95)
    pipeline = Pipeline(HashingEmbedder(), LLMDrafter(generator), PipelineConfig(), _judge_only(generator))
    [axis] = pipeline.run(postits).to_dict()["axes"]
    [vat] = [k for k in axis["key_points"] if k["citations"][0].startswith("t")]
    assert vat["quoted"] and "économie circulaire" in vat["text"]
    assert not any("les produits conçus." in m[-1]["content"] for m in generator.sent)  # not asked again
    assert not any("les produits conçus." in m[-1]["content"] for m in generator.judged)  # nor judged


def test_an_invented_ambition_or_a_broken_link_takes_the_template() -> None:
    axis, _ = _run({"ambition": "Notre ambition est de créer un atelier qui encourage les utilisateurs du quartier.",
                    "Deux actions": "Il s'agit d'abord de Sécuriser les pistes cyclables et d'ouvrir des jardins."})
    sentences = axis["pitch"]["sentences"]
    assert sentences[0]["template"] and "atelier" not in axis["pitch"]["text"]
    assert "de Sécuriser" not in axis["pitch"]["text"]
    assert all(complete_sentence(s["text"]) for s in sentences)


def test_claims_are_not_fused_by_the_model_and_their_sentences_open_differently() -> None:
    from models.pitch import plan
    from models.text import opener
    from models.types import Axis, KeyPoint, Sentence
    from prompts import load_templates

    claims = ["Homeschooling is good for children.", "Schools are better places to learn.",
              "Parents know their children best.", "Teachers need more support.", "Children need friends.",
              "Exams measure too little."]
    kps = [KeyPoint(f"k{i}", None, Sentence(t, [f"p{i}"])) for i, t in enumerate(claims)]
    slots = plan(Axis("Homeschooling"), kps, [], "en", load_templates("en")[1])
    assert all(s.ask is None for s in slots[1:])  # templates only: claim fusions came out garbled
    openers = [opener(s.fallback) for s in slots[1:]]
    assert len(set(openers)) == len(openers) and all(s.fallback.endswith(".") for s in slots)


def test_a_group_whose_best_post_it_is_already_an_action_costs_no_model_call() -> None:
    from models.pipeline import PipelineConfig

    postits = [PostIt(f"n{i}", text, "Mobilité", 5 - i) for i, text in enumerate(
        ["Il faut créer une navette vers la gare", "Une navette vers la gare le matin",
         "Navette gare tous les jours", "Une navette gare pour les lycéens"])]
    for take in (True, False):
        generator = ScriptedGenerator(lambda m: "Relier les villages à la gare", lambda m: 0.95)
        verifier = _judge_only(generator)
        pipeline = Pipeline(HashingEmbedder(), LLMDrafter(generator), PipelineConfig(take_clean_postits=take),
                            verifier=verifier)
        [axis] = pipeline.run(postits).to_dict()["axes"]
        asked = [m for m in generator.sent if "Post-its du groupe" in m[-1]["content"]
                 and "créer une navette vers la gare" in m[-1]["content"].lower()]
        [first] = [k for k in axis["key_points"] if "n0" in k["citations"]]
        if take:
            assert first["text"] == "«\u00a0Créer une navette vers la gare.\u00a0»" and first["quoted"]
            assert first["citations"] == ["n0"] and not asked
        else:
            assert not first["quoted"] and asked


def test_a_long_quote_is_not_wrapped_alone_in_a_template_that_would_repeat_it() -> None:
    from models.pitch import not_copied, plan
    from models.types import Axis, KeyPoint, Sentence
    from prompts import load_templates

    long = "« Conditionner les aides publiques aux entreprises à l'évolution positive du bilan gaz à effet de serre. »"
    kps = [KeyPoint("q", "c1", Sentence(long, ["p1"], quoted=True)),
           KeyPoint("a", "c2", Sentence("Aider les artisans.", ["p2"])),
           KeyPoint("b", "c3", Sentence("Taxer le kérosène.", ["p3"]))]
    # a short wrapper, under which the 16-word quote is still the quote (the shipped one adds 7 words)
    templates = {**load_templates("fr")[1], "ambition_action": "Notre ambition : $a."}
    slots = plan(Axis("Produire"), kps, [], "fr", templates)
    assert [k.id for k in slots[0].key_points] == ["a"]  # the ambition skips the quote it would repeat
    # then one sentence each (three at least): the trailing one-key-point template adds enough words
    assert [[k.id for k in s.key_points] for s in slots[1:]] == [["q"], ["b"]]
    assert all(not_copied(s.fallback, s, []) for s in slots)


def _garden_asked_again_then_quoted(draft: str, unsaid: str) -> None:
    """The gardens' group, drafted ``draft`` each time, is asked again, then quoted, ``unsaid`` left out."""
    axis, generator = _run({"Des jardins partagés": draft})
    [garden] = [k for k in axis["key_points"] if "j0" in k["citations"]]
    assert garden["quoted"] and unsaid not in axis["pitch"]["text"]
    retries = [m for m in generator.sent if len(m) > 2 and "Des jardins partagés" in m[1]["content"]]
    assert retries  # it was asked again before the quote


def test_a_key_point_echoing_the_instruction_is_written_again_then_quoted() -> None:
    """ "Activer l'infinitif de…" (ccc, judged supported) never reaches the synthesis."""
    _garden_asked_again_then_quoted("Ouvrir l'infinitif des jardins partagés", "infinitif")


def test_a_key_point_whose_purpose_lost_its_object_is_written_again_then_quoted() -> None:
    """« … dans les zones marines pour protéger. » (``ccc``) passed every other rule and the judge."""
    _garden_asked_again_then_quoted("Ouvrir des jardins partagés pour aider", "pour aider")


def test_a_key_point_in_words_its_group_never_uses_is_quoted_without_a_second_try() -> None:
    """ "Promouvoir la consommation responsable…" for post-its about carbon labels (ccc)."""
    axis, generator = _run({"Des composteurs collectifs": "Promouvoir la transition écologique et durable"})
    [compost] = [k for k in axis["key_points"] if "c0" in k["citations"]]
    assert compost["quoted"] and "transition" not in axis["pitch"]["text"]
    assert not any("Promouvoir la transition" in m[-1]["content"] for m in generator.sent)  # not asked again
    assert not any("transition" in m[-1]["content"] for m in generator.judged)  # nor judged
    kept = [k for k in axis["key_points"] if "v0" in k["citations"]]
    assert kept[0]["text"] == "Sécuriser les pistes cyclables." and not kept[0]["quoted"]


def test_a_quote_that_is_no_key_point_is_said_again_in_its_own_words_then_judged() -> None:
    """ "« Des composteurs collectifs déchets partout. »" is no action: with ``condense_quotes``, the
    model, shown that post-it alone, says it as one; the phrase replaces the quote where the judge keeps it."""
    said = {"Dis de même": "Installer des composteurs collectifs partout",
            "Des composteurs collectifs": "Promouvoir la transition écologique et durable"}
    condensing = PipelineConfig(condense_quotes=True)
    axis, generator = _run(said, config=condensing)
    [compost] = [k for k in axis["key_points"] if "c0" in k["citations"] or "c1" in k["citations"]]
    assert compost["text"] == "Installer des composteurs collectifs partout." and not compost["quoted"]
    assert len(compost["citations"]) == 1 and compost["verdict"] == "supported"
    [asked] = [m[-1]["content"] for m in generator.sent if "Dis de même" in m[-1]["content"]]
    assert "<<<\nDes composteurs collectifs déchets" in asked  # its one post-it, fenced

    axis, _ = _run(said, reject="Installer des composteurs", config=condensing)
    [compost] = [k for k in axis["key_points"] if "c0" in k["citations"] or "c1" in k["citations"]]
    assert compost["quoted"] and compost["text"].startswith("«\xa0Des composteurs collectifs")


def test_a_lone_key_point_is_left_out_when_its_template_at_its_place_only_repeats_it() -> None:
    """ "Zudem möchte er <the post-it>" (German Energie): checked at the place it takes, not as the first."""
    from models.pitch import plan
    from models.types import Axis, KeyPoint, Sentence
    from prompts import load_templates

    texts = ["Regionale Lebensmittel fördern", "Mehr Züge am Abend anbieten", "Radwege zwischen Dörfern bauen",
             "Beleuchtungen in Tunnels und auf Straßen ab 22 Uhr reduzieren"]
    kps = [KeyPoint(f"k{i}", f"c{i}", Sentence(t, [f"p{i}"])) for i, t in enumerate(texts)]
    # the wording the rule was met under; the shipped trailing templates add enough words to say it
    templates = {**load_templates("de")[1], "one_1": "Zuerst will der Raum $a.", "one_2": "Zudem möchte er $a.",
                 "one_3": "Außerdem will er $a."}
    slots = plan(Axis("Energie"), kps, [], "de", templates)
    # the ambition, then one sentence each (three at least); the lamp post-it stays a key point
    assert [[k.id for k in s.key_points] for s in slots] == [["k0"], ["k1"], ["k2"]]
    assert all("Beleuchtungen" not in s.fallback for s in slots)


def test_english_quoted_claims_are_said_in_the_rooms_voice_and_a_repeated_one_once() -> None:
    """argkp: every key point a quote gave a pitch of quotes; two groups with one idea said it twice."""
    from models.pitch import plan
    from models.types import Axis, KeyPoint, Sentence
    from prompts import load_templates

    texts = ["homeschooling deprives children of social contact with their peers.",
             "homeschooling deprives children of social contact with peers.",
             "parents are no substitute for a qualified teacher.",
             "homeschooling should be banned because schools teach better."]
    kps = [KeyPoint(f"k{i}", f"c{i}", Sentence(f"“{t}”", [f"p{i}"], quoted=True)) for i, t in enumerate(texts)]
    slots = plan(Axis("Homeschooling should be banned"), kps, [], "en", load_templates("en")[1])
    said = [k.id for s in slots for k in s.key_points]
    assert said == ["k0", "k2", "k3"]  # k1 repeats k0
    assert all("“" not in s.fallback and "homeschooling deprives" in slots[0].fallback for s in slots)


def test_a_german_key_point_without_its_verb_is_written_again_then_quoted() -> None:
    """ "… muss … auf 70 bis 80 % gesteigert." (Energie) was judged supported; it is not a sentence."""
    groups = [("e", "Erneuerbare Energie ausbauen Bedarf decken"), ("z", "Mehr Züge am Abend fahren lassen"),
              ("r", "Radwege zwischen Dörfern bauen")]
    replies = {"Erneuerbare": "Die Energieerzeugung muss auf 80 % des Bedarfs gesteigert.",
               "Züge": "Mehr Züge am Abend anbieten", "Radwege": "Radwege zwischen Dörfern bauen"}
    axis, generator = _german_axis(groups, replies)
    [energy] = [k for k in axis["key_points"] if k["citations"][0].startswith("e")]
    assert energy["quoted"] and "gesteigert" not in energy["text"] + axis["pitch"]["text"]
    assert any("gesteigert" in m[-1]["content"] for m in generator.sent if len(m) > 2)  # asked again first


def test_a_draft_still_no_action_that_copies_another_voice_of_its_group_gives_way_to_the_groups_quote() -> None:
    """Energie's 78 comments on renewables were headed by the 1.5B's copy of their third representative
    (« Die Energiekonzerne profitieren vom Wandel … »), not by the post-it the group was summed up by."""
    groups = [("k", "Die Energiekonzerne profitieren stark vom Wandel"), ("w", "Windräder auf allen Hügeln bauen"),
              ("s", "Speicherseen mit Solaranlagen ausbauen"), ("b", "Batteriespeicher in Gemeinden fördern")]
    quotes = set()
    for word in ["bald", "überall", "gemeinsam", "jetzt"]:  # whichever member the model copies
        axis, _ = _german_axis(groups, {"Energiekonzerne": f"Die Energiekonzerne profitieren stark vom Wandel {word}"})
        [energy] = [k for k in axis["key_points"] if k["citations"][0].startswith("k")]
        assert energy["quoted"] and len(energy["citations"]) == 1, energy
        quotes.add((energy["text"], energy["citations"][0]))
    assert len(quotes) == 1  # always the group's own fallback quote


def test_a_key_point_repeating_a_heavier_one_of_its_axis_is_its_groups_quote() -> None:
    """argkp: « Prostitution should not be legalized. » stood for three groups of one axis."""
    groups = [("w", "Mehr Windräder wären auf den Hügeln gut"), ("x", "Mehr Windräder wären an den Seen gut"),
              ("s", "Speicherseen mit Solaranlagen wären gut"), ("b", "Batteriespeicher in Gemeinden wären gut")]
    axis, _ = _german_axis(groups, {"Hügeln": "Mehr Windräder bauen", "Seen": "Mehr Windräder bauen",
                                    "Speicherseen": "Speicherseen mit Solaranlagen ausbauen",
                                    "Batteriespeicher": "Batteriespeicher in Gemeinden fördern"})
    by_group = {k["citations"][0][0]: k for k in axis["key_points"]}
    assert by_group["w"]["text"] == "Mehr Windräder bauen." and not by_group["w"]["quoted"]  # the heavier keeps it
    assert by_group["x"]["quoted"] and "Seen" in by_group["x"]["text"], by_group["x"]
    assert all(k["text"] != "Mehr Windräder bauen." for k in axis["key_points"] if k is not by_group["w"])


def test_a_german_zu_infinitive_is_said_as_the_action_and_goes_last_in_its_sentence() -> None:
    """ "Windräder aufzustellen, solange …" (Energie) was half of a post-it's sentence and got quoted;
    said as "Windräder aufstellen, solange …", it is kept, and a partner is not read into its clause."""
    groups = [("e", "Erneuerbare Energie ausbauen"), ("w", "Windräder weit weg von Dörfern aufstellen"),
              ("z", "Mehr Züge am Abend fahren lassen"), ("r", "Radwege zwischen Dörfern bauen"),
              ("s", "Solaranlagen auf Dächer bauen")]
    replies = {"Erneuerbare": "Erneuerbare Energie ausbauen", "Züge": "Mehr Züge am Abend anbieten",
               "Windräder": "Windräder aufzustellen, solange sie weit von Dörfern stehen.",
               "Radwege": "Radwege zwischen Dörfern bauen", "Solaranlagen": "Solaranlagen auf Dächer bauen"}
    axis, _ = _german_axis(groups, replies)
    [wind] = [k for k in axis["key_points"] if k["citations"][0].startswith("w")]
    assert wind["text"].startswith("Windräder aufstellen, solange") and not wind["quoted"]
    others = [k["text"].rstrip(".") for k in axis["key_points"] if k is not wind]
    [said] = [s["text"] for s in axis["pitch"]["sentences"] if "solange" in s["text"]]
    assert not any(o in said.split("solange")[1] for o in others), said


def test_in_a_pair_the_key_point_that_goes_on_past_a_comma_is_said_last() -> None:
    from models.pitch import plan
    from models.types import Axis, KeyPoint, Sentence
    from prompts import load_templates

    texts = ["Erneuerbare Energie ausbauen.", "Windräder aufstellen, solange sie weit von Dörfern stehen.",
             "Wasserkraftwerke an Bächen errichten."]
    kps = [KeyPoint(f"k{i}", f"c{i}", Sentence(t, [f"p{i}"])) for i, t in enumerate(texts)]
    slots = plan(Axis("Energie"), [*kps, KeyPoint("k3", "c3", Sentence("Radwege bauen.", ["p3"]))], [], "de",
                 load_templates("de")[1])
    [pair] = [s for s in slots if {k.id for k in s.key_points} == {"k1", "k2"}]
    assert [k.id for k in pair.key_points] == ["k2", "k1"]
    assert pair.fallback.index("Wasserkraftwerke") < pair.fallback.index("Windräder"), pair.fallback


def test_a_fallback_quote_is_its_postits_first_sentence_where_that_alone_is_a_key_point() -> None:
    """Energie quoted whole comments („Wasserkleinkraftwerke an kleinen Bächen errichten. Speziell für
    kleinere Ortschaften …“): two ideas and more words than a key point may have."""
    groups = [("w", "Wasserkraftwerke an Bächen errichten. Das bringt den Dörfern viel"),
              ("z", "Mehr Züge am Abend fahren lassen"), ("r", "Radwege zwischen Dörfern bauen")]
    replies = {"Wasserkraftwerke": "Die Wasserkraft muss an Bächen errichtet.",  # no verb: asked again, then quoted
               "Züge": "Mehr Züge am Abend anbieten", "Radwege": "Radwege zwischen Dörfern bauen"}
    axis, _ = _german_axis(groups, replies)
    [water] = [k for k in axis["key_points"] if k["citations"][0].startswith("w")]
    assert water["quoted"] and water["text"] == "„Wasserkraftwerke an Bächen errichten.“"
    assert len(water["citations"]) == 1 and "Dörfern viel" not in axis["pitch"]["text"]


def test_long_lone_proposals_the_room_voted_for_are_said_up_to_their_purpose() -> None:
    """The Make.org sample's health axis: one group, three lone proposals of 21 words with 320-336
    votes; the pitch was its ambition alone. Each is said up to a purpose or second action that no
    comma parts from it; its key point keeps the whole quote."""
    from models.pitch import plan
    from models.types import Axis, KeyPoint, Sentence
    from prompts import load_templates

    def quote(text: str) -> Sentence:
        return Sentence(f"« {text} »", ["p"], quoted=True)

    group = KeyPoint("k0", "c0", quote("Sauver l'hôpital public."), count=2, votes=711)
    lone = [KeyPoint("s1", None, quote("Écouter les soignants pour mettre en oeuvre un système de santé qui soit "
                                       "en capacité de faire face à une prochaine crise."), votes=336),
            KeyPoint("s2", None, quote("Arrêter de penser la santé comme une entreprise rentable et repenser la "
                                       "balance entre le financier et la qualité de soin."), votes=326),
            KeyPoint("s3", None, quote("Cesser de déverser des pesticides dans les champs, non pas pour protéger "
                                       "uniquement les riverains mais bien la Terre entière et ses habitants."),
                     votes=400)]  # the most voted, but cut after "non pas" it would say the opposite
    slots = plan(Axis("Santé"), [group, *lone], [], "fr", load_templates("fr")[1])
    assert [s.fallback for s in slots] == [
        "Sauver l'hôpital public : voilà l'ambition que se donne la salle.",
        "Écouter les soignants : c'est ce que la salle demande d'abord.",
        "Arrêter de penser la santé comme une entreprise rentable : la salle y tient aussi."]
    assert all(k.sentence.text.startswith("« ") and len(k.sentence.text.split()) > 20 for k in lone)


def test_a_pitch_sentence_saying_a_quote_up_to_its_purpose_is_judged_not_inherited() -> None:
    """The key point's verdict was given to the whole quote; the cut words go to the judge."""
    from models.pitch import inherit_verdict
    from models.types import KeyPoint, Sentence, Verdict

    quote = Sentence("« Écouter les soignants pour mettre en oeuvre un système de santé qui soit en capacité de "
                     "faire face à une prochaine crise. »", ["p1"], 1.0, True, quoted=True, verdict=Verdict.SUPPORTED)
    short = Sentence("« Taxer le kérosène. »", ["p2"], 1.0, True, quoted=True, verdict=Verdict.SUPPORTED)
    kps = [KeyPoint("a", None, quote), KeyPoint("b", None, short)]
    cut = Sentence("Écouter les soignants : la salle y tient aussi.", ["p1"], key_points=["a"])
    whole = Sentence("Taxer le kérosène : la salle y tient aussi.", ["p2"], key_points=["b"])
    assert (inherit_verdict(cut, kps, "fr"), inherit_verdict(whole, kps, "fr")) == (False, True)


def test_a_lone_idea_saying_a_group_again_does_not_fill_the_pitch() -> None:
    """The Make.org sample's "ville durable" pitch said the greening of towns twice: once from its
    group, then again from a lone proposal brought in to reach three sentences."""
    from models.pitch import plan
    from models.types import Axis, KeyPoint, Sentence
    from prompts import load_templates

    def lone(i: str, text: str, votes: int) -> KeyPoint:
        return KeyPoint(i, None, Sentence(f"« {text} »", [i], quoted=True), votes=votes)

    group = KeyPoint("k1", "c1", Sentence("Encourager la végétalisation des villes pour les climatiser.", ["p1"]),
                     count=2, votes=725)
    kps = [group, lone("s2", "Employer l'eau de pluie dans les bâtiments.", 1792),
           lone("s3", "Apporter de la végétation dans les villes.", 946),
           lone("s4", "Développer l'habitat autonome en énergie.", 449)]
    slots = plan(Axis("Ville durable"), kps, [], "fr", load_templates("fr")[1])
    assert [[k.id for k in s.key_points] for s in slots] == [["k1"], ["s2"], ["s4"]]


def _two_groups(reject: str = "") -> tuple[dict[str, Any], ScriptedGenerator]:
    """Two groups and no lone idea (the Make.org sample's "consommation locale" axis): the first
    group's least central post-it asks something its key point does not say."""
    texts = {"c": "Favoriser les circuits courts alimentaires", "j": "Ouvrir des jardins partagés potagers"}
    postits = [PostIt(f"{t}{i}", f"{text} {w}", "Consommer", 10 - n)
               for n, (t, text) in enumerate(texts.items()) for i, w in enumerate(["partout", "vite", "ensemble"])]
    postits.append(PostIt("c9", "Forcer les supermarchés à vendre les circuits courts", "Consommer", 30))
    replies = {"circuits": "Favoriser les circuits courts alimentaires", "jardins": "Ouvrir des jardins partagés"}

    def reply(messages: list[dict[str, str]]) -> str:
        return next((a for k, a in replies.items() if k in messages[-1]["content"]), "")

    def agree(messages: list[dict[str, str]]) -> float:
        return 0.05 if reject and reject in messages[-1]["content"] else 0.95

    generator = ScriptedGenerator(reply, agree)
    pipeline = Pipeline(HashingEmbedder(), LLMDrafter(generator), PipelineConfig(), _judge_only(generator))
    [axis] = pipeline.run(postits).to_dict()["axes"]
    return axis, generator


def test_a_groups_other_voice_fills_a_pitch_its_key_points_leave_short() -> None:
    axis, generator = _two_groups()
    assert len(axis["key_points"]) == 2 and all(k["cluster_id"] for k in axis["key_points"])
    [voice] = [s for s in axis["pitch"]["sentences"] if "supermarchés" in s["text"]]
    first = next(k for k in axis["key_points"] if "circuits" in k["text"])
    assert "c9" not in first["citations"]
    assert voice["citations"] == ["c9"] and voice["key_points"] == [first["id"]]
    assert voice["verdict"] == "supported" and len(axis["pitch"]["sentences"]) == 3
    # judged against the post-it it says, not against its group's key point
    [asked] = [m[-1]["content"] for m in generator.judged if "supermarchés" in m[-1]["content"]]
    assert asked.count("Forcer les supermarchés") == 2, asked


def test_a_voice_the_judge_doubts_is_left_out_of_the_pitch() -> None:
    axis, _ = _two_groups(reject="supermarchés")
    assert "supermarchés" not in axis["pitch"]["text"]
    assert all(s["verdict"] == "supported" for s in axis["pitch"]["sentences"])


def test_a_long_pair_is_said_in_two_sentences_unless_one_would_only_repeat_its_key_point() -> None:
    """The sample's "agriculture alternative" pair read as one 32-word sentence, its second action
    read into the first's purpose; argkp's long claim, alone behind "The room also stresses:", is
    its key point again (the copied-share rule) and would leave the pitch: that pair stays fused."""
    from models.pitch import plan
    from models.types import Axis, KeyPoint, Sentence
    from prompts import load_templates

    def said(texts: list[str], language: str) -> list[list[str]]:
        kps = [KeyPoint(f"k{i}", f"c{i}", Sentence(t, [f"p{i}"], quoted=language == "en"), votes=9 - i)
               for i, t in enumerate(texts)]
        return [[k.id for k in s.key_points] for s in plan(Axis("A"), kps, [], language, load_templates(language)[1])]

    french = ["Promouvoir la diversité alimentaire et favoriser les agriculteurs locaux.",
              "Interdire les pesticides pour favoriser la biodiversité dans toutes les campagnes de France.",
              "Revenir à une indépendance alimentaire pour rétablir une économie locale et humaine.",
              "Favoriser les circuits courts.", "Réformer les labels."]
    assert said(french, "fr") == [["k0"], ["k1"], ["k2"], ["k3", "k4"]]
    english = ["“Homeschooling is a personal choice and should not be banned.”",
               "“Homeschooling can provide more one on one attention and can allow the child to learn at "
               "their own speed.”", "“Homeschooling is beneficial for children being bullied.”",
               "“Parents should have the right to choose how to educate their children.”"]
    assert said(english, "en") == [["k0"], ["k1", "k2"], ["k3"]]


def test_a_lone_idea_acting_on_what_the_ambition_acts_on_does_not_fill_the_pitch() -> None:
    """The Make.org sample's "durée de vie" pitch opened on ending planned obsolescence and ended on
    it again in another verb; a key point going on to an action of its own still fills it."""
    from models.pitch import plan
    from models.types import Axis, KeyPoint, Sentence
    from prompts import load_templates

    def lone(i: str, text: str, votes: int) -> KeyPoint:
        return KeyPoint(i, None, Sentence(f"« {text} »", [i], quoted=True), votes=votes)

    group = KeyPoint("k1", "c1", Sentence("« Mettre fin à l'obsolescence programmée et que les entreprises misent "
                                          "plus sur les pièces détachables. »", ["p1"], quoted=True), votes=2969)
    kps = [group, lone("s2", "Améliorer la qualité des appareils électroménagers.", 643),
           lone("s3", "Abandonner l'obsolescence programmée des produits technologiques pour en allonger "
                      "l'usage.", 483),
           lone("s4", "Abandonner l'obsolescence programmée et taxer les produits jetables.", 300),
           lone("s5", "Créer un indice de réparabilité sur chaque produit.", 200)]
    slots = plan(Axis("Durée de vie"), kps, [], "fr", load_templates("fr")[1])
    assert [[k.id for k in s.key_points] for s in slots] == [["k1"], ["s2"], ["s4"]]


def _retried(group: str, key: str, draft: str, retry: str) -> tuple[dict[str, Any], ScriptedGenerator]:
    """One axis of two groups (``group`` and shared gardens), every key point drafted by the model: it
    answers ``draft`` for the post-its naming ``key``, ``retry`` when asked again, and a judge says yes."""
    texts = {"a": group, "j": "Ouvrir des jardins partagés potagers"}
    postits = [PostIt(f"{t}{i}", f"{text} {w}", "Produire", 10 - n)
               for n, (t, text) in enumerate(texts.items()) for i, w in enumerate(["partout", "vite", "ensemble"])]

    def reply(messages: list[dict[str, str]]) -> str:
        asked = messages[-1]["content"]
        if "ne rend pas fidèlement" in asked:
            return retry
        if key in asked:
            return draft
        return "Ouvrir des jardins partagés" if "jardins" in asked else ""

    generator = ScriptedGenerator(reply, lambda messages: 0.95)
    config = PipelineConfig(take_clean_postits=False)  # the model drafts every key point
    pipeline = Pipeline(HashingEmbedder(), LLMDrafter(generator), config, _judge_only(generator))
    [axis] = pipeline.run(postits).to_dict()["axes"]
    return axis, generator


@pytest.mark.parametrize(("group", "word", "draft", "retry", "invented"), [
    # the 1.5B gave « imposer un cahier des charges plus strict aux entreprises » a purpose of its own
    # (« … pour favoriser la réduction des coûts »), and the judge let it through
    ("Imposer un cahier des charges strict aux entreprises", "cahier",
     "Imposer un cahier des charges aux entreprises pour réduire les coûts",
     "Imposer un cahier des charges plus strict aux entreprises", "coûts"),
    # it wrote « Promouvoir la diversité alimentaire … » for post-its on local organic farming; the
    # rest of the phrase was theirs, and the judge let it through
    ("Soutenir une agriculture locale et biologique", "agriculture",
     "Promouvoir la diversité alimentaire et l'agriculture biologique",
     "Soutenir une agriculture locale et biologique", "diversité"),
], ids=["a purpose of its own", "an object its group never names"])
def test_a_key_point_inventing_what_its_group_never_says_is_written_again(group: str, word: str, draft: str,
                                                                          retry: str, invented: str) -> None:
    axis, generator = _retried(group, word, draft, retry)
    texts_out = [k["text"] for k in axis["key_points"]]
    assert f"{retry}." in texts_out, texts_out
    assert not any(invented in t for t in texts_out) and invented not in axis["pitch"]["text"]
    assert any("ne rend pas fidèlement" in m[-1]["content"] for m in generator.sent)


def test_a_groups_fallback_quote_may_be_its_next_representative() -> None:
    """A cluster whose most voted post-it is a 20-word proposal quotes a shorter representative that
    is one action phrase, not the long one (``ccc``'s collective catering)."""
    long = ("Étendre toutes les dispositions de la loi EGalim à la restauration collective privée et publique "
            "à partir de 2025")
    postits = [PostIt("c0", long, "Se nourrir", 900),
               *(PostIt(f"c{i}", f"Poursuivre les efforts dans la restauration collective {w}", "Se nourrir", 5)
                 for i, w in enumerate(["scolaire", "publique", "hospitalière"], 1)),
               *(PostIt(f"j{i}", f"Ouvrir des jardins partagés potagers {w}", "Se nourrir", 3)
                 for i, w in enumerate(["partout", "vite", "ensemble", "ici"]))]
    generator = ScriptedGenerator(lambda messages: "", lambda messages: 0.95)  # every draft fails: quotes
    pipeline = Pipeline(HashingEmbedder(), LLMDrafter(generator), PipelineConfig(take_clean_postits=False),
                        _judge_only(generator))
    [axis] = pipeline.run(postits).to_dict()["axes"]
    [catering] = [k for k in axis["key_points"] if k["cluster_id"] and "c0" in
                  next(c["postit_ids"] for c in axis["clusters"] if c["id"] == k["cluster_id"])]
    assert catering["quoted"] and "EGalim" not in catering["text"], catering
    assert catering["text"].startswith("«\u00a0Poursuivre les efforts dans la restauration collective")


def test_a_draft_that_says_a_post_it_word_for_word_is_that_post_its_quote() -> None:
    """ "Reboiser, oui, mais surtout pas en monoculture, …" (the Make.org sample) was one participant's
    words, shown unmarked as the room's phrase; it is now marked as that post-it's quote and cites it."""
    axis, _ = _retried("Soutenir une agriculture locale et biologique", "agriculture",
                       "Il faut soutenir une agriculture locale et biologique vite", "")
    key_points = {k["text"]: k for k in axis["key_points"]}
    copied = key_points["«\u00a0Soutenir une agriculture locale et biologique vite.\u00a0»"]
    assert copied["quoted"] and copied["citations"] == ["a1"] and copied["verdict"] == "supported"
    assert not key_points["Ouvrir des jardins partagés."]["quoted"]  # a phrase of its own stays the model's


def test_a_draft_that_copies_one_sentence_of_a_post_it_and_breaks_a_word_is_that_sentences_quote() -> None:
    """Energie's "Die Energiesektor spielt eine große Rolle im Klimaschutz." was c13's « Der
    Energiesektor … » with a wrong article, and "Stromsparen ist die Devise!" the first sentence of
    c37: both shown as the room's phrase. Each is now the quote of the sentence it copies."""
    axis, _ = _retried("Soutenir une agriculture locale. Et biologique", "agriculture",
                       "Soutenir un agriculture locale.", "")
    [copied] = [k for k in axis["key_points"] if "agriculture" in k["text"]]
    assert copied["text"] == "«\u00a0Soutenir une agriculture locale.\u00a0»", copied
    assert copied["quoted"] and len(copied["citations"]) == 1 and copied["citations"][0].startswith("a")


def test_a_key_points_own_colon_reads_as_a_comma_inside_a_pitch_sentence() -> None:
    """« … et sauver l'hôpital public : mieux rémunérer les personnels : la salle y tient. » (Make.org)."""
    from models.pitch import plan
    from models.types import Axis, KeyPoint, Sentence
    from prompts import load_templates

    texts = ["Relocaliser la production des produits de première nécessité.",
             "Sauver l'hôpital public : mieux rémunérer les personnels.", "Taxer le kérosène.",
             "Ouvrir des jardins partagés."]
    kps = [KeyPoint(f"k{i}", f"c{i}", Sentence(t, [f"p{i}"])) for i, t in enumerate(texts)]
    sentences = [s.fallback for s in plan(Axis("Vivre"), kps, [], "fr", load_templates("fr")[1])]
    assert any("sauver l'hôpital public, mieux rémunérer les personnels" in s.lower() for s in sentences), sentences
    assert all(s.count(":") <= 1 for s in sentences), sentences


def test_a_claim_and_an_action_are_never_said_in_one_sentence() -> None:
    """The Klimarat's Energie pitch read « Zudem betont er: die erneuerbare Energieerzeugung muss …
    gesteigert werden, und Speicherseen … ausbauen. »: the claim's template left the action dangling.
    Said apart where the pitch has a sentence to spare; else the pair's first key point alone."""
    from models.pitch import plan
    from models.types import Axis, KeyPoint, Sentence
    from prompts import load_templates

    def said(texts: list[str]) -> list[list[str]]:
        kps = [KeyPoint(f"k{i}", f"c{i}", Sentence(t, [f"p{i}"]), votes=20 - i) for i, t in enumerate(texts)]
        return [[k.id for k in s.key_points] for s in plan(Axis("Energie"), kps, [], "de", load_templates("de")[1])]

    claim = "Die erneuerbare Energieerzeugung muss deutlich gesteigert werden."
    actions = ["Windräder in ganz Österreich aufstellen.", "Speicherseen mit Windrädern ausbauen.",
               "Straßenbeleuchtung ab 22 Uhr reduzieren.", "Biogasanlagen bei Bauernhöfen fördern.",
               "Öl- und Gasheizungen schrittweise ersetzen.", "Batteriespeicher in Gemeinden aufbauen.",
               "Photovoltaik auf öffentlichen Dächern verpflichten.", "Energiesparen in Schulen lehren."]
    assert said([actions[0], claim, *actions[1:4]]) == [["k0"], ["k1"], ["k2"], ["k3", "k4"]]
    assert said([actions[0], claim, *actions[1:]]) == [["k0"], ["k1"], ["k3", "k4"], ["k5", "k6"], ["k7", "k8"]]


def test_a_pair_whose_second_claim_adds_next_to_nothing_is_said_once() -> None:
    """argkp: « Urbanization harms the environment and future generations, and urbanization harms
    the environment and wildlife. » is its first key point again (the copied-share rule), the second
    saying mostly the first's words: the heavier one is said alone, in the room's voice."""
    from models.pitch import plan
    from models.types import Axis, KeyPoint, Sentence
    from prompts import load_templates

    texts = ["Urbanization destroys farmland around growing cities.",
             "Urbanization harms the environment and future generations.",
             "Urbanization harms the environment and wildlife.",
             "Crowded cities breed crime and poverty."]
    kps = [KeyPoint(f"k{i}", f"c{i}", Sentence(t, [f"p{i}"]), votes=9 - i) for i, t in enumerate(texts)]
    slots = plan(Axis("We should fight urbanization"), kps, [], "en", load_templates("en")[1])
    assert [[k.id for k in s.key_points] for s in slots] == [["k0"], ["k1"], ["k3"]]
    assert "the room" in slots[1].fallback.lower() and "wildlife" not in " ".join(s.fallback for s in slots)


def test_english_claims_are_said_two_by_two_without_the_room_after_each_pair() -> None:
    """argkp: "…, the room stresses." after every pair read as a refrain once the ambition had said
    whose claims they are; a phrase opening on a noun is a claim, never "what the room asks for"."""
    from models.pitch import plan
    from models.types import Axis, KeyPoint, Sentence
    from prompts import load_templates

    texts = ["Urbanization gives more people places to live.", "Urbanization enhances access to services.",
             "Cities create jobs for young people.", "Mandatory zoning limits housing supply.",
             "Suburbs waste land and energy."]
    kps = [KeyPoint(f"k{i}", f"c{i}", Sentence(t, [f"p{i}"]), votes=9 - i) for i, t in enumerate(texts)]
    slots = plan(Axis("We should not fight urbanization"), kps, [], "en", load_templates("en")[1])
    assert slots[0].fallback.startswith("Above all, the room stresses: urbanization gives")
    pairs = [s.fallback for s in slots if len(s.key_points) == 2]
    assert pairs == ["Urbanization enhances access to services, and cities create jobs for young people.",
                     "Mandatory zoning limits housing supply, and suburbs waste land and energy."]


def test_a_pair_whose_short_second_claim_is_an_idea_of_its_own_keeps_both_parted_by_the_room() -> None:
    """argkp: « Homeschooling lacks the quality of education provided by real teachers and schools »
    and « … lacks regulation and oversight »: said plainly, the pair is its first key point again;
    said alone, the first is too. Both stay, the room's words between them."""
    from models.pitch import plan
    from models.text import word_jaccard
    from models.types import Axis, KeyPoint, Sentence
    from prompts import load_templates

    texts = ["Homeschooling undermines social skills and social relations.",
             "Homeschooling lacks the quality of education provided by real teachers and schools.",
             "Homeschooling lacks regulation and oversight."]
    kps = [KeyPoint(f"k{i}", f"c{i}", Sentence(t, [f"p{i}"]), votes=9 - i) for i, t in enumerate(texts)]
    slots = plan(Axis("Homeschooling should be banned"), kps, [], "en", load_templates("en")[1])
    assert [[k.id for k in s.key_points] for s in slots][1:] == [["k1", "k2"]]
    assert slots[1].fallback.endswith(", the room stresses.")
    assert all(word_jaccard(slots[1].fallback, t) < 0.8 for t in texts)


def test_an_english_key_point_taking_its_axis_for_subject_says_what_it_meant() -> None:
    """argkp, "We should abandon marriage (pro)": « Abandon marriage restricts personal freedom. »."""
    axis_name = "We should abandon marriage (pro)"
    postits = [PostIt(f"m{i}", f"being married takes away the personal freedom of both partners {w}", axis_name)
               for i, w in enumerate(["today", "often", "always", "legally"])]

    def reply(messages: list[dict[str, str]]) -> str:
        return "Abandon marriage restricts personal freedom."

    generator = ScriptedGenerator(reply, lambda messages: 0.95)
    pipeline = Pipeline(HashingEmbedder(), LLMDrafter(generator), PipelineConfig(language="en"), _judge_only(generator))
    [axis] = pipeline.run(postits).to_dict()["axes"]
    assert [k["text"] for k in axis["key_points"]] == ["Marriage restricts personal freedom."]


def test_english_claims_opening_on_their_topic_are_said_as_claims() -> None:
    """argkp: « School uniforms foster community and togetherness … : this is what the room asks for
    first. » (a noun before a noun reads as a verb); the axis' own verb still opens an action."""
    from models.pitch import plan
    from models.types import Axis, KeyPoint, Sentence
    from prompts import load_templates

    texts = ["School uniforms promote equality.", "School uniforms foster community and togetherness.",
             "School uniforms help reduce bullying.", "Abandon school uniforms to promote creativity."]
    kps = [KeyPoint(f"k{i}", f"c{i}", Sentence(t, [f"p{i}"]), votes=9 - i) for i, t in enumerate(texts)]
    axis = Axis("We should abandon the use of school uniforms (con)")
    slots = plan(axis, kps, [], "en", load_templates("en")[1])
    assert slots[0].fallback == "Above all, the room stresses: school uniforms promote equality."
    assert slots[1].fallback == ("School uniforms foster community and togetherness, and school uniforms help "
                                 "reduce bullying.")
    assert slots[2].fallback.startswith("Abandon school uniforms to promote creativity")


def test_an_unvoted_short_pitch_is_filled_by_the_voices_of_a_group_it_cannot_say() -> None:
    """argkp, "Homeschooling should be banned (pro)": one key point a quote of 37 words, another a
    repeat, and no votes: its pitch had 2 sentences. Two short arguments of the quote's group fill
    it, as one claim pair, before any voice of a group the pitch already says."""
    from models.pitch import plan
    from models.types import Axis, KeyPoint, Sentence
    from prompts import load_templates

    long_quote = ("“Parents are really no substitute to a qualified teacher and their ignorance at their inability "
                  "to provide their child with a good education is harmful to the child for the rest of their life.”")
    kps = [KeyPoint("k0", "c0", Sentence("Homeschooling undermines social skills.", ["p0"])),
           KeyPoint("k1", "c1", Sentence("Homeschooling lacks regulation and oversight.", ["p1"])),
           KeyPoint("k2", "c2", Sentence(long_quote, ["p2"], quoted=True))]

    def voices() -> list[KeyPoint]:
        said = KeyPoint("k0", "c0", Sentence("“Children taught at home never meet other kids.”", ["p5"], quoted=True))
        return [said, *(KeyPoint("k2", "c2", Sentence(f"“{t}”", [f"p{n}"], quoted=True)) for n, t in (
            (6, "Not every parent is capable of educating their child."),
            (7, "Many families leave out important subjects from their curriculum.")))]

    slots = plan(Axis("Homeschooling should be banned"), kps, [], "en", load_templates("en")[1], voices)
    assert len(slots) == 3
    assert slots[2].fallback == ("Not every parent is capable of educating their child, and many families leave "
                                 "out important subjects from their curriculum.")
    assert "meet other kids" not in " ".join(s.fallback for s in slots)
    from models.pitch import sentence_from
    sentence = sentence_from("", slots[2], [])
    assert sentence.key_points == ["k2"] and sentence.citations == ["p6", "p7"]


def test_the_bare_stance_is_never_a_pitch_sentence_and_its_group_may_speak_instead() -> None:
    """argkp, "We should ban human cloning (con)": « We should not ban human cloning. », the key point
    of 43 arguments, said only the axis; its pitch had 2 sentences. Its group's shortest arguments fill it."""
    from models.pitch import plan
    from models.types import Axis, KeyPoint, Sentence
    from prompts import load_templates

    kps = [KeyPoint("k0", "c0", Sentence("Human cloning can lead to discoveries that cure illnesses.", ["p0"])),
           KeyPoint("k1", "c1", Sentence("We should not ban human cloning.", ["p1"])),
           KeyPoint("k2", "c2", Sentence("Human cloning could lead to medical breakthroughs.", ["p2"]))]

    def voices() -> list[KeyPoint]:
        return [KeyPoint("k1", "c1", Sentence(f"“{t}”", [f"p{n}"], quoted=True)) for n, t in (
            (5, "Explore human cloning as an advancement of science, for its medical potential is immense."),
            (6, "Human cloning is a good thing for science."),
            (7, "Banning cloning would stop research on organ growth."))]

    slots = plan(Axis("We should ban human cloning (con)"), kps, [], "en", load_templates("en")[1], voices)
    said = " ".join(s.fallback for s in slots)
    assert "not ban human cloning" not in said and len(slots) == 3
    assert slots[2].fallback == ("Human cloning is a good thing for science, and banning cloning would stop research "
                                 "on organ growth.")


CLONING = [("m", "cloning could cure genetic diseases"), ("f", "cloning helps infertile couples have children"),
           ("s", "cloning gives science new knowledge of cells"), ("o", "cloning grows organs for transplants")]


def _cloning_axis(first: str, again: str, long: bool = False) -> tuple[dict[str, Any], ScriptedGenerator]:
    """An argkp-like English axis: the medical group drafted ``first``, then ``again`` when asked again;
    ``long``: its arguments run past a key point."""
    tail = " because so many families suffer from illnesses that nobody can treat today" if long else ""
    postits = [PostIt(f"{t}{i}", f"{text}{tail} {w}", "We should ban human cloning (con)", 0)
               for t, text in CLONING for i, w in enumerate(["soon", "everywhere", "together", "now"])]

    def reply(messages: list[dict[str, str]]) -> str:
        content = messages[-1]["content"]
        if len(messages) > 2:  # the retry turn, after the first draft
            return again
        if "genetic diseases" in content:
            return first
        return next((text.capitalize() for _, text in CLONING if text in content), "")

    return _one_axis(postits, reply, "en")


def _medical(axis: dict[str, Any]) -> list[dict[str, Any]]:
    return [k for k in axis["key_points"] if any(c.startswith("m") for c in k["citations"])]


def test_a_key_point_saying_only_its_axis_stance_is_asked_again_then_quoted_where_its_quote_is_one() -> None:
    """argkp: « We should not ban human cloning. » stood for 43 arguments saying why."""
    stance = "We should not ban human cloning"
    axis, generator = _cloning_axis(stance, "Cloning could cure genetic diseases")
    [medical] = _medical(axis)
    assert medical["text"] == "Cloning could cure genetic diseases." and not medical["quoted"]
    assert any("only repeats the axis' title" in m[-1]["content"] and stance in m[-1]["content"]
               for m in generator.sent)

    axis, _ = _cloning_axis(stance, stance)  # the second draft says the stance again: its group is quoted
    [medical] = _medical(axis)
    assert medical["quoted"] and medical["text"].startswith("“Cloning could cure genetic diseases")

    axis, _ = _cloning_axis(stance, stance, long=True)  # a long quote is no key point either: the draft stays
    [medical] = _medical(axis)
    assert medical["text"] == "We should not ban human cloning." and not medical["quoted"]
    assert "not ban human cloning" not in axis["pitch"]["text"]
