#!/usr/bin/env python3
"""Embedding a corpus on Spark: partitions piped through `bert-embed embed --jsonl` (the recipe of the README's
"Embedding a large corpus"), checked against one `bert-embed embed` run over the same lines.

  python Scripts/corpus_jobs/spark_embed.py BERT_EMBED MODEL INPUT OUTPUT [--partitions 8] [--master local[2]]

Each input line is one text. Spark's textFile splits lines on \\n, \\r and \\r\\n (Hadoop's line reader); the records
go to `bert-embed embed --jsonl` as JSON strings, so a text may hold any character. RDD.pipe keeps each partition's
order and collect() keeps the partitions' order, so the vectors come back in input order; on a cluster, write them
with saveAsTextFile instead and keep the line numbers with zipWithIndex (shown below as `numbered`).

With --check, compares the output with `bert-embed embed` over the whole input (as CI does) and exits non-zero on a
difference. Needs pyspark and Java 17+.
"""
import argparse
import json
import os
import subprocess
import sys

from pyspark.sql import SparkSession


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bert_embed")
    parser.add_argument("model")
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--check", action="store_true")
    options = parser.parse_args()
    command = [os.path.abspath(options.bert_embed), "embed", "--model", os.path.abspath(options.model), "--jsonl",
               "--quiet", "--threads", "1"]

    spark = SparkSession.builder.master(options.master).appName("bert-embed corpus").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    lines = spark.sparkContext.textFile(os.path.abspath(options.input), minPartitions=options.partitions)
    # The recipe: every partition through one bert-embed process (the model loads once per partition).
    vectors = lines.map(json.dumps).pipe(" ".join(command))
    # On a cluster, keep each vector's line number and write the shards out:
    numbered = vectors.zipWithIndex().map(lambda pair: json.dumps({"line": pair[1] + 1, "embedding": json.loads(pair[0])}))
    rows = vectors.collect()
    with open(options.output, "w") as out:
        out.writelines(row + "\n" for row in rows)
    partitions = lines.getNumPartitions()
    first = numbered.first()
    spark.stop()
    print(f"{len(rows)} vectors from {partitions} partitions into {options.output}; first numbered row: {first[:60]}...")
    if options.check:
        with open(options.input, "rb") as source:
            single = subprocess.run(command[:4] + ["--quiet"], stdin=source, capture_output=True, check=True).stdout
        with open(options.output, "rb") as produced:
            if produced.read() != single:
                print("FAIL: the Spark output differs from one bert-embed embed run", file=sys.stderr)
                sys.exit(1)
        print("equal to one bert-embed embed run over the same lines")


if __name__ == "__main__":
    main()
