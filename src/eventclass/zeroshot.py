"""Zero-shot scoring: no fine-tuned weights, labels from the codebook alone.

Two methods share one result shape:

* :class:`PrototypeScorer` (the default, fully offline): the bundled
  all-MiniLM-L6-v2 encoder embeds each sentence and projects it on one
  direction per label: the mean embedding of that label's example phrasings
  (written from the codebook) minus the mean embedding of phrasings that
  report no event (background, threats, deployments, lifted sanctions ...).
  This Rocchio-style score beat nearest-phrasing (top-k) scoring on the VOA
  validation sentences (micro-F1 0.574 against 0.533). A per-label logistic
  maps it to [0, 1]. The centres were tuned on the VOA validation sentences with
  ``benchmarks/tune_zero_shot.py``; nothing was trained on them.
* :class:`NliScorer`: when the user names an NLI model, the transformers
  zero-shot pipeline in multi-label mode scores the codebook hypotheses.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from .errors import ModelLoadError
from .labels import LABEL_DEFINITIONS, LABELS

log = logging.getLogger(__name__)

#: Written for this project from the codebook; none is taken from any corpus.
LABEL_PHRASINGS: dict[str, tuple[str, ...]] = {
    "attack": (
        "Rockets struck the military base, wounding several soldiers.",
        "An air strike killed a senior militant commander.",
        "Drones attacked a convoy near the border.",
        "Gunmen opened fire on worshippers, killing twelve people.",
        "A suicide bomber blew himself up at a police checkpoint.",
        "Artillery shelling hit residential districts overnight.",
        "The militia claimed responsibility for the drone attack on the airport.",
        "Troops raided the village and killed three fighters.",
        "A missile slammed into an apartment building, killing civilians.",
        "Ten soldiers died in the ambush.",
        "Insurgents stormed the army post and took hostages.",
        "The strike destroyed a weapons depot.",
        "The opposition leader was assassinated by unknown gunmen.",
        "The attack caused minor damage and no casualties.",
        "Militants were killed in the counterterrorism operation.",
        "A car bomb exploded outside the ministry.",
        "He confirmed the killing of the commander in a drone strike.",
        "Rebels fired missiles at a cargo ship.",
        "Soldiers shot dead two gunmen during the siege.",
        "Saboteurs blew up the gas pipeline.",
        "Two people were killed when shells landed in the market.",
        "The deadliest attack on the city this year left dozens dead.",
        "Officials said the drone was shot down after it struck a fuel depot.",
        "Police said the gunmen killed four officers before fleeing.",
        "The bombing of the hospital drew international outrage.",
    ),
    "retaliation": (
        "The air strikes were in retaliation for the attack that killed three soldiers.",
        "The army struck militant positions in response to the rocket attack.",
        "The group vowed to avenge the killing of its commander.",
        "In response to the attack, the government expelled the ambassador.",
        "Sanctions were imposed in response to the missile strikes.",
        "The reprisal raid came a day after insurgents ambushed a convoy.",
        "The retaliatory strikes hit targets linked to the militia.",
        "They launched a counterattack after their base was shelled.",
        "The missile barrage was a response to the assassination of its general.",
        "The president ordered retaliation for the deaths of the troops.",
        "Moscow retaliated by expelling diplomats in a tit-for-tat move.",
        "Hours after the embassy was hit, the military launched strikes on militia headquarters.",
        "The measures were a response to the seizure of the tanker.",
        "The rebels said the ambush avenged the deaths of their fighters.",
    ),
    "condemnation": (
        "The government condemned the attack as a cowardly act of terrorism.",
        "The foreign ministry denounced the strike as a violation of its sovereignty.",
        "Rights groups sharply criticised the crackdown.",
        "The UN chief deplored the killing of aid workers.",
        "He accused the rebels of committing war crimes.",
        "The ministry called the move unacceptable and provocative.",
        "Lawmakers criticised the administration's decision.",
        "Beijing lodged a strong protest against the measures.",
        "The opposition blamed the government for the violence.",
        "Officials dismissed the accusations as lies and propaganda.",
        "The strikes were widely condemned by neighbouring states.",
        "The spokeswoman slammed the decision as an act of aggression.",
        "He said the policy was outrageous and hostile.",
        "The president accused Washington of meddling in his country's affairs.",
        "Critics said the government had failed to protect civilians.",
        "The envoy rejected the allegations as baseless.",
        "The statement called the detentions arbitrary and illegal.",
        "Activists denounced the verdict as politically motivated.",
        "The minister said the neighbour's behaviour was irresponsible and dangerous.",
        "Kyiv blamed Moscow for the deaths of the civilians.",
        "The lawmaker said the administration had betrayed its allies.",
    ),
    "sanction": (
        "The Treasury imposed sanctions on five companies that supplied drones.",
        "The European Union froze the assets of senior officials.",
        "Washington blacklisted the militia leaders.",
        "The State Department designated the group a terrorist organisation.",
        "The government expelled four diplomats.",
        "An arms embargo was imposed on the country.",
        "New export controls bar the sale of advanced chips to the firms.",
        "The tankers are under US sanctions.",
        "The bloc adopted a new package of sanctions against Moscow.",
        "Travel bans were imposed on the coup leaders.",
        "Donors suspended aid to punish the junta.",
        "The sale of fighter jets was blocked as punishment for buying the missile system.",
    ),
    "diplomatic message": (
        "The foreign minister spoke by phone with his counterpart.",
        "The envoy met officials in Baghdad to discuss the crisis.",
        "The ministry summoned the ambassador.",
        "The president urged both sides to return to negotiations.",
        "The UN envoy told the Security Council that the parties must agree to a ceasefire.",
        "Washington called on Baghdad to protect American personnel.",
        "The leaders held talks on a ceasefire deal.",
        "The government sent a letter to the United Nations.",
        "He warned Tehran that any attack would be met with force.",
        "Officials told their counterparts that sanctions could follow.",
        "Qatar offered to mediate between the two sides.",
        "A delegation travelled to Moscow for negotiations.",
        "The two countries agreed to restore diplomatic relations.",
        "The secretary of state demanded the release of the detainees.",
        "The minister said the ball is now in the other side's court.",
        "The foreign minister told his counterpart that Beijing expects restraint.",
        "EU officials told member states not to close their borders without agreement.",
        "The prime minister received the visiting envoy and discussed bilateral ties.",
        "In a letter to the Security Council, the ambassador asked for an urgent meeting.",
        "The two presidents agreed in a phone call to keep talking.",
        "The ministry said it had conveyed its concerns to the Russian side.",
        "He told the Security Council that its calls to end the fighting had gone unanswered.",
        "China will host talks with Iran and Russia next week.",
        "The defence minister said his country was ready to mend ties with Cairo.",
        "The White House urged Israel to allow more aid into the territory.",
    ),
}

#: Sentences that report no event, hard negatives of the codebook included.
NO_EVENT_PHRASINGS: tuple[str, ...] = (
    "The storm caused widespread flooding across the region.",
    "The company reported higher profits this quarter.",
    "Voters went to the polls on Sunday.",
    "The city is home to about two million people.",
    "He studied law before entering politics.",
    "The disease has spread to several provinces.",
    "This story originated in the agency's foreign service.",
    "Analysts say the economy is likely to slow next year.",
    "The report was published last year.",
    "Prices rose sharply after the harvest failed.",
    "The war has displaced millions of people since it began.",
    "The military held exercises near the border.",
    "The army deployed additional troops to the region.",
    "The country tested a new ballistic missile.",
    "Police arrested several opposition activists.",
    "He threatened to strike the facilities if talks failed.",
    "The sanctions were lifted last year.",
    "Officials are considering new sanctions.",
    "The group, a designated terrorist organisation, controls the area.",
    "The spokesman said the operation was necessary to protect the country.",
    "Aid agencies distributed food to displaced families.",
    "The system transmits the ship's position every few minutes.",
    "The new law replaces rules imposed by the former ruler.",
    "Experts describe the four nations as an informal bloc.",
        "\"We are doing everything we can,\" the mayor said.",
        "The ministry did not respond to a request for comment.",
        "Officials have yet to comment on the reports.",
        "The region has long been a stronghold of the rebels.",
        "The vote is expected to take place next month.",
        "Thousands of people were left homeless by the earthquake.",
        "The central bank raised interest rates for the third time.",
        "The program was launched in 2015 with support from donors.",
        "The talks collapsed in 2019 and have not resumed.",
        "Doctors said the patient was in stable condition.",
        "He was released after serving five years in prison.",
        "The court adjourned the trial until next week.",
        "The navy plans to commission two new frigates next year.",
        "Experts warn that the conflict could spread to neighbouring countries.",
        "More than 10,000 people have been killed since the fighting began.",
        "The militant group is believed to have about 3,000 fighters.",
        "Exports of grain resumed after the port reopened.",
        "Opposition parties boycotted the election.",
)

#: Slope of the logistic that maps raw scores to [0, 1].
LOGISTIC_SLOPE = 25.0
#: Raw score at which each label's probability is 0.5 (its threshold),
#: tuned on the VOA validation sentences (benchmarks/tune_zero_shot.py).
LABEL_CENTRES: dict[str, float] = {
    "attack": 0.092,
    "retaliation": 0.1628,
    "condemnation": 0.0869,
    "sanction": 0.122,
    "diplomatic message": 0.1135,
}
THRESHOLD = 0.5


class PrototypeScorer:
    """Scores sentence embeddings against the codebook phrasings.

    Args:
        embed: ``embed(texts) -> np.ndarray`` of L2-normalised embeddings.

    Example:
        >>> scorer = PrototypeScorer(runner.run)  # doctest: +SKIP
        >>> scorer.raw_scores(runner.run(["Drones hit the base."]))  # doctest: +SKIP
    """

    method = "prototypes"

    def __init__(self, embed):
        no_event_mean = embed(list(NO_EVENT_PHRASINGS)).mean(axis=0)
        directions = [embed(list(LABEL_PHRASINGS[label])).mean(axis=0) - no_event_mean for label in LABELS]
        self.directions = np.stack(directions, axis=1)  # (dim, 5)
        self.centres = np.array([LABEL_CENTRES[label] for label in LABELS])
        self.thresholds = dict.fromkeys(LABELS, THRESHOLD)

    def raw_scores(self, embeddings: np.ndarray) -> np.ndarray:
        """Projection of each embedding on each label direction, shape (n, 5)."""
        return embeddings @ self.directions

    def scores(self, embeddings: np.ndarray) -> np.ndarray:
        """Probabilities in [0, 1], shape (n, 5), in :data:`LABELS` order."""
        return 1.0 / (1.0 + np.exp(-LOGISTIC_SLOPE * (self.raw_scores(embeddings) - self.centres)))


def entailment_id(config, where: str) -> int:
    """Index of the 'entailment' class in an NLI model's config.

    Raises:
        ModelLoadError: the model has no label named like 'entailment'.
    """
    for index, name in config.id2label.items():
        if str(name).lower().startswith("entail"):
            return int(index)
    raise ModelLoadError(
        f"{where} is not an NLI model: its labels {list(config.id2label.values())} have no "
        "'entailment' class, so it cannot score zero-shot hypotheses"
    )


class NliScorer:
    """Multi-label zero-shot scoring with an NLI model through the transformers pipeline.

    Each label's hypothesis is its codebook definition
    (:data:`LABEL_DEFINITIONS`); with ``multi_label=True`` the pipeline scores
    each hypothesis on its own (entailment against contradiction), so the
    labels stay independent.
    """

    method = "nli"

    def __init__(self, model_name_or_path: str, device: str | None = None, batch_size: int = 16):
        from transformers import AutoConfig, pipeline

        try:
            config = AutoConfig.from_pretrained(model_name_or_path)
        except (OSError, ValueError) as err:
            raise ModelLoadError(f"cannot load NLI model {model_name_or_path!r}: {err}") from err
        self.entailment_id = entailment_id(config, model_name_or_path)
        self.pipeline = pipeline(
            "zero-shot-classification", model=model_name_or_path, device=device or "cpu"
        )
        self.batch_size = batch_size
        self.thresholds = dict.fromkeys(LABELS, THRESHOLD)
        self._hypothesis_label = {LABEL_DEFINITIONS[label]: label for label in LABELS}

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Entailment probabilities in [0, 1], shape (n, 5), in :data:`LABELS` order."""
        outputs = self.pipeline(
            list(texts),
            candidate_labels=[LABEL_DEFINITIONS[label] for label in LABELS],
            hypothesis_template="{}",
            multi_label=True,
            batch_size=self.batch_size,
        )
        if isinstance(outputs, dict):
            outputs = [outputs]
        result = np.zeros((len(outputs), len(LABELS)), dtype=np.float32)
        for row, output in enumerate(outputs):
            for hypothesis, score in zip(output["labels"], output["scores"]):
                result[row, LABELS.index(self._hypothesis_label[hypothesis])] = score
        return result
