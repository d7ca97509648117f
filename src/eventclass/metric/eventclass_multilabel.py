"""A local `evaluate` module: multi-label precision, recall and F1 for eventclass.

Hub metrics cannot be downloaded on air-gapped machines, so the project ships
its metric as a module `evaluate.load()` reads by path. The numbers come from
:func:`eventclass.metrics.multilabel_report` (scikit-learn), the same code the
trainer and the evaluation report use.
"""

import datasets
import evaluate

_DESCRIPTION = "Per-label precision/recall/F1/support, micro and macro F1 and exact match for the five eventclass labels."
_KWARGS_DESCRIPTION = """
Args:
    predictions: list of 5-element 0/1 lists (attack, retaliation, condemnation, sanction, diplomatic message).
    references: same shape, the gold labels.
Returns:
    dict with micro_f1, macro_f1, exact_match, n and per_label.
Example:
    >>> metric = evaluate.load("src/eventclass/metric/eventclass_multilabel.py")
    >>> metric.compute(predictions=[[1, 0, 0, 0, 0]], references=[[1, 0, 0, 0, 0]])["micro_f1"]
    1.0
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class EventclassMultilabel(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="",
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {
                    "predictions": datasets.Sequence(datasets.Value("int32")),
                    "references": datasets.Sequence(datasets.Value("int32")),
                }
            ),
        )

    def _compute(self, predictions, references):
        from eventclass.metrics import multilabel_report

        return multilabel_report(references, predictions)
