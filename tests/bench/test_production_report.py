"""docs/benchmarks/production.md from a run's results: measured worker rows are reported as measured (not
extrapolated when the reply was generated to its full fixed length), languages without a worker run are computed
from the rates and say so, and the reply lengths show before and after the sizing."""

from __future__ import annotations

from typing import Any

from bench.production.report import derived, write_markdown


def _results() -> dict[str, Any]:
    return {
        "started": "2026-12-02T15:00:00+00:00",
        "machine": {"cores": 2, "cpu": "x86_64", "weights": "shape-faithful, generator v1"},
        "rates": [
            {
                "role": "evaluator",
                "threads": 1,
                "ready_s": 60.0,
                "pp_tokens_per_s": 2.0,
                "tg_c1_per_stream": 0.5,
                "tg_c2_per_stream": 0.4,
                "tg_c2_total": 0.8,
                "tg_c4_per_stream": 0.2,
                "tg_c4_total": 0.8,
            }
        ],
        "output_tokens_before": {"solar-10.7b": {"en": 300, "ko": 1084, "ko_en_ratio": 3.62}, "sizing": "old"},
        "output_tokens": {"solar-10.7b": {"en": 200, "ko": 724, "ko_en_ratio": 3.62}, "sizing": "new"},
        "prompt_tokens": {"solar-10.7b": {"prompt_ko": 2100, "shared_ko": 1100, "prompt_en": 1450, "shared_en": 1100}},
        "e2e": {
            "threads": 1,
            "rows": [
                {"path": "cold prompt", "lang": "en", "prompt_s": 700.0, "prompt_tokens_processed": 1450},
                {
                    "path": "streamed",
                    "lang": "en",
                    "first_partial_s": 200.0,
                    "outcome_s": 600.0,
                    "prompt_tokens_processed": 380,
                    "tokens_generated": 200,
                    "gen_tokens_per_s": 0.5,
                    "load_1m": 6.0,
                },
            ],
        },
    }


def test_measured_rows_are_not_extrapolated_and_missing_languages_are_computed() -> None:
    d = derived(_results())
    en, ko = d["per_lang"]["en"], d["per_lang"]["ko"]
    assert en["streamed_full_s"] == 600.0  # the whole fixed-length reply was generated: nothing added
    assert en["prompt_cold"] == 1450 and en["streamed_prompt_tokens"] == 380
    assert ko["computed"] and ko["first_partial_s"] < ko["today_full_s"]
    assert d["prompt_tokens_warm"] == 380


def test_a_reply_cut_short_is_completed_from_its_rate() -> None:
    results = _results()
    results["e2e"]["rows"][1]["tokens_generated"] = 150
    assert derived(results)["per_lang"]["en"]["streamed_full_s"] == 600.0 + 50 / 0.5


def test_markdown_says_how_each_row_was_obtained() -> None:
    text = write_markdown(_results())
    assert "| en | measured | 200 | 1450 / 380 | 200.0 |" in text
    assert "| ko | computed | 724 |" in text
    assert "| solar-10.7b | 300 → 200 | — → — | — → — |" in text  # before and after, side by side
