"""The script a user writes instead of kpi-scorecard: SPEC section 9's peer, whole process.

    python benchmarks/pandas_script.py BOOK OUT

``pd.read_excel`` of the Measures sheet, RAG with numpy (polarity, the target and the
tolerance, the workbook's 10% where a row has none; Within range against its two
bounds), then one sheet per portfolio, every column of the table and the RAG, written by
``df.style.map(...).to_excel`` with openpyxl, the RAG cells on the scorecard's fills. It prints its own split (import,
read, RAG, write) as JSON; the benchmark times the whole process from outside.
Nothing of kpi_core is imported: this is the pandas user's own script.
"""

import json
import sys
import time

clock = time.perf_counter
t0 = clock()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

FILLS = {"Green": ("#00703C", "#FFFFFF"), "Amber": ("#FFBF47", "#000000"),
         "Red": ("#D4351C", "#FFFFFF")}


def rag_css(value):
    fill = FILLS.get(value)
    return f"background-color: {fill[0]}; color: {fill[1]}; font-weight: bold" if fill else ""


def main(book: str, out: str) -> dict:
    t1 = clock()
    df = pd.read_excel(book, sheet_name="Measures", header=2)  # the table's header row
    t2 = clock()
    current = pd.to_numeric(df["Current"], errors="coerce").to_numpy(float)
    target = pd.to_numeric(df["Target"], errors="coerce").to_numpy(float)
    upper = pd.to_numeric(df["Target Upper"], errors="coerce").to_numpy(float)
    tolerance = pd.to_numeric(df["Tolerance"], errors="coerce").fillna(0.1).to_numpy(float)
    polarity = df["Polarity"].fillna("Higher").str.lower()
    lower = polarity.str.startswith("low").to_numpy()
    within = polarity.str.contains("range").to_numpy()
    band = tolerance * np.abs(target)
    shortfall = np.where(lower, current - target, target - current)
    shortfall = np.where(within, np.maximum(target - current, current - upper), shortfall)
    df["RAG"] = np.select([np.isnan(current) | np.isnan(target), shortfall <= 0,
                           shortfall <= band], ["", "Green", "Amber"], "Red")
    t3 = clock()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        for portfolio, frame in df.groupby("Portfolio", sort=False):
            frame.style.map(rag_css, subset=["RAG"]).to_excel(
                writer, sheet_name=str(portfolio)[:31], index=False)
    t4 = clock()
    return {"import": t1 - t0, "read": t2 - t1, "rag": t3 - t2, "write": t4 - t3,
            "measures": len(df)}


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:3])))
