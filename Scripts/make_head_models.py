#!/usr/bin/env python3
"""Makes tiny seeded cross-encoder (reranker) and SPLADE folders, and their sentence-transformers goldens.

Every model is a transformers class with random weights (seeded, normal: 0.2 for the body, 1 + 0.2 for LayerNorm
scales, 0.5 for the classification head after the encoder, so that scores differ), 2 layers of width 32, 4 heads,
intermediate size 37. The tokenizers are the repository's fixtures, not new ones: tiny-bert's (Resources/tiny-bert,
BertTokenizer: feeds token_type_ids) for the BERT models, and the folders of Resources/families/{distilbert,roberta,
xlm-roberta,mpnet} (tokenizer_class PreTrainedTokenizerFast, which transformers 5 loads as TokenizersBackend: no
token_type_ids) for the others. All tokenizer.json files are byte-identical to those fixtures.

Folders under Resources/heads/:
  bert-cross-encoder-hf       BertForSequenceClassification, num_labels 1, as cross-encoder/ms-marco-MiniLM-L-6-v2
                              ships: config.json + model.safetensors (save_pretrained), tokenizer.json, vocab.txt,
                              tokenizer_config.json, special_tokens_map.json; no modules.json.
                              max_position_embeddings 64, tokenizer model_max_length 512: CrossEncoder caps the
                              max length at 64 (min of the two).
  bert-cross-encoder-st       the same weights saved by CrossEncoder.save, activation Tanh
                              (config_sentence_transformers.json "activation_fn": "torch.nn.modules.activation.Tanh"),
                              max_length 48 (tokenizer_config.json model_max_length 48).
  bert-cross-encoder-3labels  BertForSequenceClassification, num_labels 3, CrossEncoder.save, default activation
                              (Identity for several labels, written out as such), max length 64 (the cap).
  roberta-cross-encoder       RobertaForSequenceClassification + the roberta family's byte-level BPE, max_length 64
                              (max_position_embeddings 66: positions start after the padding id 1).
  xlm-roberta-cross-encoder   XLMRobertaForSequenceClassification + the Unigram tokenizer, max_length 64.
  distilbert-cross-encoder    DistilBertForSequenceClassification + WordPiece, max length 64 (the cap).
  mpnet-cross-encoder         MPNetForSequenceClassification + the mpnet family's WordPiece, max_length 64.
  bert-splade-max             SparseEncoder.save of [MLMTransformer (BertForMaskedLM, decoder tied to the word
                              embeddings), SpladePooling("max")], max_seq_length 48.
  bert-splade-sum             the same BertForMaskedLM weights, [Transformer(transformer_task="fill-mask") (what
                              SparseEncoder builds by default in sentence-transformers 6), SpladePooling("sum")],
                              max_seq_length 48.
  distilbert-splade-max       [MLMTransformer (DistilBertForMaskedLM), SpladePooling("max")], max length 64 (the cap).
bert-splade-max is saved with similarity_fn_name null (never set), the other two with "dot".
Cross-encoders other than -hf, and SPLADE folders, are saved with create_model_card=False (no README.md). The MLM
decoder bias is shifted to -1.8 (+ 0.1 noise) so that 5-50 % of the vocabulary is non-zero per text (checked).

Goldens under Resources/heads/goldens/<folder>.json, each with "generator", "seed" (of that folder's weights),
"versions" (torch, transformers, sentence_transformers), "model", "kind" ("cross-encoder" or "splade"):
  cross-encoder:
    architecture, num_labels, max_length (CrossEncoder.max_seq_length after loading), activation (the dotted class
    of CrossEncoder.activation_fn), tokenizer_class (as transformers loads it), feeds_token_type_ids (whether the
    tokenizer output, and so the model input, has them), model_accepts_token_type_ids (the forward's signature),
    pairs: [{query, document, input_ids, token_type_ids, attention_length, query_tokens, document_tokens,
             truncated, scores, logits, softmax (3-label only), sigmoid_softmax (3-label only)}]
      input_ids / token_type_ids: what CrossEncoder.preprocess feeds the model (padding stripped; token_type_ids
      null when the tokenizer gives none: the model then uses zeros); attention_length: len(input_ids);
      truncated: whether the untruncated pair is over max_length;
      query_tokens / document_tokens: the untruncated token counts (no special tokens);
      scores: predict(pairs) with default arguments (the folder's activation); logits: predict(pairs,
      activation_fn=torch.nn.Identity()); softmax: predict(pairs, apply_softmax=True); sigmoid_softmax:
      predict(pairs, activation_fn=torch.nn.Sigmoid(), apply_softmax=True) (softmax after the activation).
      A float for one label, a list of num_labels floats otherwise.
    rank (num_labels 1): {query, documents, all: rank(query, documents) (top_k None), top_3: rank(..., top_k=3)}, each
      a list of {corpus_id, score}; documents 3 and 8 are identical (equal scores, the lower corpus_id first).
    rank_error (num_labels 3): the message of the ValueError rank raises.
    loading_cases (bert-cross-encoder-hf only): copies of bert-cross-encoder-hf or -st with keys changed (edits),
      and what CrossEncoder resolves for each: max_length, activation, feeds_token_type_ids, the input_ids of pairs 0,
      1, 2 and 11 and their scores (one predict call), or the error predict raises (error, scores null).
  splade:
    architecture, max_length, pooling_strategy, activation_function, similarity_fn_name, vocab_size, modules (the
    "type" strings of modules.json),
    texts: [{text, input_ids (padding stripped), indices, values (non-zero entries of encode(texts), ascending
             index), decode_top5 ([[token, weight]] of decode(embeddings, top_k=5), descending weight)}]
    similarity: model.similarity of the first four embeddings (dot product).
    loading_cases (bert-splade-max only): copies of the folder with files replaced (replaced_files) or keys changed
      (changed_keys), and what SparseEncoder resolves: max_length, similarity_fn_name, max_active_dims,
      activation_function, texts 0 and 11 (input_ids, indices, values), similarity of the first four texts.
Floats are float32 values written as Python's repr(float(x)) (round-trips exactly). All pairs (texts) of a case are
run in one predict (encode) call, one padded batch.

Run with the pinned stack (Scripts/setup_venv.sh): .venv/bin/python Scripts/make_head_models.py
"""
import inspect
import json
import os
import shutil
import sys
import tempfile
import warnings

import sentence_transformers
import torch
import transformers
from sentence_transformers import CrossEncoder, SparseEncoder
from sentence_transformers.base.modules.transformer import Transformer
from sentence_transformers.sparse_encoder.modules import MLMTransformer, SpladePooling
from transformers import (
    AutoTokenizer, BertConfig, BertForMaskedLM, BertForSequenceClassification, DistilBertConfig,
    DistilBertForMaskedLM, DistilBertForSequenceClassification, MPNetConfig, MPNetForSequenceClassification,
    RobertaConfig, RobertaForSequenceClassification, XLMRobertaConfig, XLMRobertaForSequenceClassification)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Resources", "heads")
GOLDENS = os.path.join(OUT, "goldens")
TINY = os.path.join(ROOT, "Resources", "tiny-bert")
FAMILIES = os.path.join(ROOT, "Resources", "families")
SEED = 20261207
COMMON = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=37)
DISTIL = dict(dim=32, n_layers=2, n_heads=4, hidden_dim=37, activation="gelu", max_position_embeddings=64)
ROBERTA_LIKE = dict(max_position_embeddings=66, type_vocab_size=1, layer_norm_eps=1e-5, pad_token_id=1,
                    bos_token_id=0, eos_token_id=2, **COMMON)
MLM_BIAS = -1.8  # the decoder bias offset: 5-50 % of the vocabulary non-zero per text
TOKENS_PER_TEXT_CHECK = (0.05, 0.5)

WORDS = ("the people of the city lived near the river and worked in the old market every day while their children "
         "went to school in the morning and played music in the evening after the long work of the year")
LONG_A = " ".join([WORDS] * 2)  # 94 tokens with tiny-bert's WordPiece, 181 with the byte-level BPE
LONG_B = " ".join(["a new house was built on the hill above the small town"] * 5)  # 85 WordPiece tokens, 160 BPE tokens
PAIRS = [
    ("How many people live in Berlin?", "Berlin had a population of 3,520,031 in 2019."),
    ("How many people live in Berlin?", "Berlin is well known for its museums."),
    ("a", "b"),
    ("What is the capital of France?", ""),
    ("", "An empty query and a short document."),
    ("Héllo, wörld: naïve café?", "São Paulo est une ville très peuplée, à côté de la mer."),
    ("東京は日本の首都です。", "Москва — столица России. 😀👍🏽"),
    ("Emoji 😀 query", "Symbols © ™ ½ and numbers 3.14, $19.99 & 42%."),
    ("Where do the people work?", LONG_A),  # only the document is long
    (LONG_A, "The river is near the market."),  # only the query is long
    (LONG_A, LONG_B),  # both long, the query longer
    (LONG_B, LONG_A),  # both long, the document longer
    (LONG_B, LONG_B),  # both long, equal lengths
]
RANK_QUERY = "Where do the people of the city work?"
RANK_DOCUMENTS = [
    "The people of the city worked in the old market.",
    "A new house was built on the hill.",
    "Berlin is well known for its museums.",
    "The children went to school in the morning.",  # 3 and 8 are identical
    "",
    "Music in the evening after the long work of the year.",
    "Héllo, wörld!",
    "The river is near the market.",
    "The children went to school in the morning.",
    "東京は日本の首都です。",
]
TEXTS = [
    "A man is eating food.",
    "The quick brown fox jumps over the lazy dog!",
    "",
    "a",
    "Héllo, wörld: naïve café in São Paulo.",
    "東京は日本の首都です。 Москва — столица России.",
    "Emoji 😀👍🏽 and symbols © ™ ½, numbers 3.14 and $19.99.",
    "  leading, trailing and   multiple   spaces  ",
    "Hello [MASK] world [SEP] and [CLS] written out",
    "the the the the the the",
    "What is the capital of France?",
    LONG_A,  # over max_seq_length
]


# ---------------------------------------------------------------- helpers

def f32(x):
    return float(x)


def floats(values):
    return [float(v) for v in values]


def tokenizer_of(source):
    """The fixture tokenizer of a folder (tokenizer.json + tokenizer_config.json), as transformers loads it."""
    return AutoTokenizer.from_pretrained(source)


def randomize(model, seed, head_names=(), mlm_bias=None):
    """Normal weights: 0.2 (body), 1 + 0.2 (LayerNorm scales), 0.5 (the names in head_names), mlm_bias + 0.1 noise
    for the MLM decoder bias. Tied parameters appear once in named_parameters, so they get one draw."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(("LayerNorm.weight", "layer_norm.weight")):
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
            elif "relative_attention_bias" in name:
                p.copy_(torch.randn_like(p))
            elif name in ("cls.predictions.bias", "vocab_projector.bias"):
                p.copy_(mlm_bias + 0.1 * torch.randn_like(p))
            elif any(name.startswith(head) for head in head_names):
                p.copy_(0.5 * torch.randn_like(p))
            else:
                p.copy_(0.2 * torch.randn_like(p))


def build(cls, config, seed, **randomize_args):
    config._attn_implementation = "eager"
    torch.manual_seed(seed)
    model = cls(config).eval()
    randomize(model, seed, **randomize_args)
    return model


def save_hf(model, tokenizer, folder, model_max_length):
    """model.save_pretrained + the tokenizer's save_pretrained, with the given model_max_length."""
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.model_max_length = model_max_length
    tokenizer.save_pretrained(folder)


def write_ms_marco_folder(model, folder):
    """The layout of cross-encoder/ms-marco-MiniLM-L-6-v2: save_pretrained weights and config, tiny-bert's
    tokenizer.json and vocab.txt, a BertTokenizer tokenizer_config.json (model_max_length 512) and
    special_tokens_map.json."""
    model.save_pretrained(folder, safe_serialization=True)
    shutil.copyfile(os.path.join(TINY, "tokenizer.json"), os.path.join(folder, "tokenizer.json"))
    shutil.copyfile(os.path.join(TINY, "vocab.txt"), os.path.join(folder, "vocab.txt"))
    specials = {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]",
                "mask_token": "[MASK]"}
    config = {"do_lower_case": True, **specials, "tokenize_chinese_chars": True, "strip_accents": None,
              "model_max_length": 512, "do_basic_tokenize": True, "never_split": None,
              "tokenizer_class": "BertTokenizer"}
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(folder, "special_tokens_map.json"), "w") as f:
        json.dump(specials, f, indent=2)


def unpadded(features, key):
    return [[v for v, m in zip(row, mask) if m] for row, mask in
            zip(features[key].tolist(), features["attention_mask"].tolist())]


def versions():
    return {"torch": torch.__version__, "transformers": transformers.__version__,
            "sentence_transformers": sentence_transformers.__version__}


def dump(name, content):
    with open(os.path.join(GOLDENS, name + ".json"), "w") as f:
        json.dump(content, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


# ---------------------------------------------------------------- cross-encoders

def score_list(tensor_or_array):
    values = tensor_or_array.tolist()
    return [f32(v) if not isinstance(v, list) else floats(v) for v in values]


def cross_encoder_goldens(name, folder, seed):
    model = CrossEncoder(folder, device="cpu")
    tokenizer = model.tokenizer
    pairs = [list(p) for p in PAIRS]
    features = model.preprocess(pairs)
    ids = unpadded(features, "input_ids")
    types = unpadded(features, "token_type_ids") if "token_type_ids" in features else None
    scores = model.predict(pairs)
    logits = model.predict(pairs, activation_fn=torch.nn.Identity())
    num_labels = model.num_labels
    if num_labels > 1:
        softmax = model.predict(pairs, apply_softmax=True)
        sigmoid_softmax = model.predict(pairs, activation_fn=torch.nn.Sigmoid(), apply_softmax=True)
    records = []
    for i, (query, document) in enumerate(PAIRS):
        q = len(tokenizer(query, add_special_tokens=False)["input_ids"])
        d = len(tokenizer(document, add_special_tokens=False)["input_ids"])
        full = len(tokenizer(query, document)["input_ids"])
        record = {"query": query, "document": document, "input_ids": ids[i],
                  "token_type_ids": types[i] if types is not None else None, "attention_length": len(ids[i]),
                  "query_tokens": q, "document_tokens": d, "truncated": full > model.max_seq_length,
                  "scores": score_list(scores)[i], "logits": score_list(logits)[i]}
        if num_labels > 1:
            record["softmax"] = score_list(softmax)[i]
            record["sigmoid_softmax"] = score_list(sigmoid_softmax)[i]
        records.append(record)
    spread = torch.tensor(logits).flatten()
    if spread.std() < 0.3:
        sys.exit(f"{name}: logits barely differ between pairs (std {spread.std():.3f})")
    if not any(r["truncated"] for r in records):
        sys.exit(f"{name}: no pair is truncated")
    forward_params = inspect.signature(model.model.forward).parameters
    result = {"generator": "Scripts/make_head_models.py", "seed": seed, "versions": versions(), "model": name,
              "kind": "cross-encoder", "architecture": type(model.model).__name__, "num_labels": num_labels,
              "max_length": model.max_seq_length,
              "activation": sentence_transformers.util.fullname(model.activation_fn),
              "tokenizer_class": type(tokenizer).__name__, "feeds_token_type_ids": types is not None,
              "model_accepts_token_type_ids": "token_type_ids" in forward_params, "pairs": records}
    if num_labels == 1:
        ranked = model.rank(RANK_QUERY, RANK_DOCUMENTS)
        top3 = model.rank(RANK_QUERY, RANK_DOCUMENTS, top_k=3)
        result["rank"] = {"query": RANK_QUERY, "documents": RANK_DOCUMENTS,
                          "all": [{"corpus_id": r["corpus_id"], "score": f32(r["score"])} for r in ranked],
                          "top_3": [{"corpus_id": r["corpus_id"], "score": f32(r["score"])} for r in top3]}
        by_id = {r["corpus_id"]: r["score"] for r in ranked}
        if by_id[3] != by_id[8]:
            print(f"{name}: the identical documents score differently: {by_id[3]!r} {by_id[8]!r}", file=sys.stderr)
    else:
        try:
            model.rank(RANK_QUERY, RANK_DOCUMENTS)
            sys.exit(f"{name}: rank did not raise for {num_labels} labels")
        except ValueError as error:
            result["rank_error"] = str(error)
    return result


DELETE = object()


def loading_cases(hf_folder, st_folder):
    """What CrossEncoder resolves (max length, activation) for copies of the folders with one key changed."""
    identity, tanh = "torch.nn.modules.linear.Identity", "torch.nn.modules.activation.Tanh"
    records = []
    cases = [
        ("plain folder: tokenizer_config model_max_length 512, max_position_embeddings 64, no activation key",
         hf_folder, []),
        ("tokenizer_config model_max_length 40", hf_folder, [("tokenizer_config.json", "model_max_length", 40)]),
        ("tokenizer_config without model_max_length", hf_folder,
         [("tokenizer_config.json", "model_max_length", DELETE)]),
        ("tokenizer_config tokenizer_class PreTrainedTokenizerFast (transformers 5: no token_type_ids)", hf_folder,
         [("tokenizer_config.json", "tokenizer_class", "PreTrainedTokenizerFast")]),
        ("tokenizer_config tokenizer_class PreTrainedTokenizerFast with model_input_names naming token_type_ids",
         hf_folder, [("tokenizer_config.json", "tokenizer_class", "PreTrainedTokenizerFast"),
                     ("tokenizer_config.json", "model_input_names",
                      ["input_ids", "token_type_ids", "attention_mask"])]),
        ("config.json sbert_ce_default_activation_function Identity (the key of sentence-transformers < 4)",
         hf_folder, [("config.json", "sbert_ce_default_activation_function", identity)]),
        ("config.json sentence_transformers.activation_fn Tanh", hf_folder,
         [("config.json", "sentence_transformers", {"activation_fn": tanh})]),
        ("config.json sbert_ce_default_activation_function outside torch. (untrusted: the default is used)",
         hf_folder, [("config.json", "sbert_ce_default_activation_function", "mypackage.activations.Custom")]),
        ("st folder as saved: config_sentence_transformers.json activation_fn Tanh", st_folder, []),
        ("st folder: config_sentence_transformers.json activation_fn null, config.json "
         "sbert_ce_default_activation_function Identity", st_folder,
         [("config_sentence_transformers.json", "activation_fn", None),
          ("config.json", "sbert_ce_default_activation_function", identity)]),
        ("st folder: config_sentence_transformers.json Tanh against config.json sentence_transformers.activation_fn "
         "Identity", st_folder, [("config.json", "sentence_transformers", {"activation_fn": identity})]),
        ("st folder: config_sentence_transformers.json without activation_fn", st_folder,
         [("config_sentence_transformers.json", "activation_fn", DELETE)]),
        ("st folder: tokenizer_config model_max_length 100 (over max_position_embeddings 64)", st_folder,
         [("tokenizer_config.json", "model_max_length", 100)]),
        ("st folder: sentence_bert_config.json max_seq_length 30 (the key of sentence-transformers < 6)", st_folder,
         [("sentence_bert_config.json", "max_seq_length", 30)]),
        ("st folder: sentence_bert_config.json max_seq_length 100 (over max_position_embeddings 64)", st_folder,
         [("sentence_bert_config.json", "max_seq_length", 100)]),
    ]
    pairs = [list(p) for p in PAIRS[:3]] + [list(PAIRS[11])]
    with tempfile.TemporaryDirectory() as temp:
        for i, (description, source, edits) in enumerate(cases):
            folder = os.path.join(temp, str(i))
            shutil.copytree(source, folder)
            for file, key, value in edits:
                path = os.path.join(folder, file)
                with open(path) as f:
                    content = json.load(f)
                if value is DELETE:
                    content.pop(key, None)
                else:
                    content[key] = value
                with open(path, "w") as f:
                    json.dump(content, f, indent=2)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = CrossEncoder(folder, device="cpu")
            features = model.preprocess(pairs)
            try:
                scores, error = score_list(model.predict(pairs)), None
            except RuntimeError as failure:
                scores, error = None, f"{type(failure).__name__}: {str(failure).splitlines()[0]}"
            records.append({"description": description, "folder": os.path.basename(source),
                            "edits": [{"file": file, "key": key, "value": "<deleted>" if value is DELETE else value}
                                      for file, key, value in edits],
                            "max_length": model.max_seq_length,
                            "activation": sentence_transformers.util.fullname(model.activation_fn),
                            "feeds_token_type_ids": "token_type_ids" in features,
                            "input_ids": unpadded(features, "input_ids"),
                            "scores": scores, "error": error})
    return records


def cross_encoders(temp):
    wordpiece = os.path.join(FAMILIES, "distilbert")  # TokenizersBackend: no token_type_ids, as DistilBERT wants
    specs = {}
    results = {}

    # 1. The Hugging Face folder, ms-marco layout; 2. the same weights saved by CrossEncoder.save, Tanh, max 48.
    seed = SEED + 1
    model = build(BertForSequenceClassification,
                  BertConfig(vocab_size=2748, max_position_embeddings=64, num_labels=1, **COMMON), seed,
                  head_names=("classifier.",))
    hf = os.path.join(OUT, "bert-cross-encoder-hf")
    write_ms_marco_folder(model, hf)
    specs["bert-cross-encoder-hf"] = (hf, seed)
    st = os.path.join(OUT, "bert-cross-encoder-st")
    CrossEncoder(hf, device="cpu", max_length=48, activation_fn=torch.nn.Tanh()).save(st, create_model_card=False)
    specs["bert-cross-encoder-st"] = (st, seed)

    # 3 and 4: saved by CrossEncoder.save from a save_pretrained folder with the family's tokenizer fixture.
    others = [
        ("bert-cross-encoder-3labels", BertForSequenceClassification,
         BertConfig(vocab_size=2748, max_position_embeddings=64, num_labels=3, **COMMON), TINY, 512, None,
         ("classifier.",)),
        ("roberta-cross-encoder", RobertaForSequenceClassification, None, os.path.join(FAMILIES, "roberta"), 512, 64,
         ("classifier.",)),
        ("xlm-roberta-cross-encoder", XLMRobertaForSequenceClassification, None,
         os.path.join(FAMILIES, "xlm-roberta"), 512, 64, ("classifier.",)),
        ("distilbert-cross-encoder", DistilBertForSequenceClassification,
         DistilBertConfig(vocab_size=2748, num_labels=1, **DISTIL), wordpiece, 512, None,
         ("pre_classifier.", "classifier.")),
        ("mpnet-cross-encoder", MPNetForSequenceClassification, None, os.path.join(FAMILIES, "mpnet"), 512, 64,
         ("classifier.",)),
    ]
    for index, (name, cls, config, tokenizer_source, model_max_length, max_length, head) in enumerate(others):
        seed = SEED + 2 + index
        tokenizer = tokenizer_of(tokenizer_source)
        vocab = len(tokenizer)
        if config is None:
            if cls is MPNetForSequenceClassification:
                config = MPNetConfig(vocab_size=vocab, max_position_embeddings=66, layer_norm_eps=1e-5, num_labels=1,
                                     **COMMON)
            elif cls is RobertaForSequenceClassification:
                config = RobertaConfig(vocab_size=vocab, num_labels=1, **ROBERTA_LIKE)
            else:
                config = XLMRobertaConfig(vocab_size=vocab, num_labels=1, **ROBERTA_LIKE)
        model = build(cls, config, seed, head_names=head)
        source = os.path.join(temp, name)
        save_hf(model, tokenizer, source, model_max_length)
        out = os.path.join(OUT, name)
        kwargs = {"max_length": max_length} if max_length is not None else {}
        CrossEncoder(source, device="cpu", **kwargs).save(out, create_model_card=False)
        specs[name] = (out, seed)

    for name, (folder, seed) in specs.items():
        results[name] = cross_encoder_goldens(name, folder, seed)
    results["bert-cross-encoder-hf"]["loading_cases"] = loading_cases(hf, st)
    return results


# ---------------------------------------------------------------- SPLADE

def splade_goldens(name, folder, seed):
    model = SparseEncoder(folder, device="cpu")
    embeddings = model.encode(TEXTS)
    dense = embeddings.to_dense()
    decoded = model.decode(embeddings, top_k=5)
    features = model.preprocess(TEXTS)
    ids = unpadded(features, "input_ids")
    records = []
    vocab = dense.shape[1]
    for i, text in enumerate(TEXTS):
        indices, values = sparse_entries(dense[i])
        fraction = len(indices) / vocab
        if not TOKENS_PER_TEXT_CHECK[0] <= fraction <= TOKENS_PER_TEXT_CHECK[1]:
            sys.exit(f"{name}: {fraction:.1%} of the vocabulary is non-zero for {text!r}")
        ordered = sorted(values, reverse=True)
        if len(set(ordered[:6])) < len(ordered[:6]):
            print(f"{name}: tied weights among the top 6 of {text!r}", file=sys.stderr)
        records.append({"text": text, "input_ids": ids[i], "indices": indices, "values": values,
                        "decode_top5": [[token, f32(weight)] for token, weight in decoded[i]]})
    if not any(len(r["input_ids"]) == model.max_seq_length for r in records):
        sys.exit(f"{name}: no text reaches max_seq_length {model.max_seq_length}")
    with open(os.path.join(folder, "modules.json")) as f:
        modules = [m["type"] for m in json.load(f)]
    pooling = model[1]
    similarity = model.similarity(dense[:4], dense[:4])
    return {"generator": "Scripts/make_head_models.py", "seed": seed, "versions": versions(), "model": name,
            "kind": "splade", "architecture": type(model[0].model).__name__, "max_length": model.max_seq_length,
            "pooling_strategy": pooling.pooling_strategy, "activation_function": pooling.activation_function,
            "similarity_fn_name": model.similarity_fn_name, "vocab_size": vocab, "modules": modules,
            "texts": records, "similarity": [floats(row) for row in similarity.tolist()]}


def sparse_entries(dense_row):
    indices = torch.nonzero(dense_row).flatten().tolist()
    return indices, floats(dense_row[indices].tolist())


def splade_loading_cases(folder):
    """What SparseEncoder resolves for copies of bert-splade-max with files replaced or keys changed."""
    hub_modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.sparse_encoder.models.MLMTransformer"},
        {"idx": 1, "name": "1", "path": "1_SpladePooling",
         "type": "sentence_transformers.sparse_encoder.models.SpladePooling"}]
    cases = [
        ("the layout of sentence-transformers 5 hub folders: sparse_encoder.models.* module paths, "
         "sentence_bert_config.json {max_seq_length 32, do_lower_case false}, pooling word_embedding_dimension, "
         "similarity_fn_name dot",
         {"modules.json": hub_modules,
          "sentence_bert_config.json": {"max_seq_length": 32, "do_lower_case": False},
          "1_SpladePooling/config.json": {"pooling_strategy": "max", "activation_function": "relu",
                                          "word_embedding_dimension": 2748}},
         {"config_sentence_transformers.json": {"similarity_fn_name": "dot"}}),
        ("config_sentence_transformers.json similarity_fn_name cosine", {},
         {"config_sentence_transformers.json": {"similarity_fn_name": "cosine"}}),
        ("config_sentence_transformers.json max_active_dims 8", {},
         {"config_sentence_transformers.json": {"max_active_dims": 8}}),
        ("1_SpladePooling/config.json activation_function log1p_relu", {},
         {"1_SpladePooling/config.json": {"activation_function": "log1p_relu"}}),
    ]
    texts = [TEXTS[0], TEXTS[11]]
    records = []
    with tempfile.TemporaryDirectory() as temp:
        for i, (description, replaced, changed) in enumerate(cases):
            copy = os.path.join(temp, str(i))
            shutil.copytree(folder, copy)
            for file, content in replaced.items():
                with open(os.path.join(copy, file), "w") as f:
                    json.dump(content, f, indent=2)
            for file, keys in changed.items():
                path = os.path.join(copy, file)
                with open(path) as f:
                    content = json.load(f)
                content.update(keys)
                with open(path, "w") as f:
                    json.dump(content, f, indent=2)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = SparseEncoder(copy, device="cpu")
            dense = model.encode(texts).to_dense()
            features = model.preprocess(texts)
            ids = unpadded(features, "input_ids")
            entries = [sparse_entries(row) for row in dense]
            four = model.encode(TEXTS[:4]).to_dense()
            records.append({"description": description, "replaced_files": replaced, "changed_keys": changed,
                            "max_length": model.max_seq_length, "similarity_fn_name": model.similarity_fn_name,
                            "max_active_dims": model.max_active_dims,
                            "activation_function": model[1].activation_function,
                            "texts": [{"text": t, "input_ids": ids[j], "indices": entries[j][0],
                                       "values": entries[j][1]} for j, t in enumerate(texts)],
                            "similarity": [floats(row) for row in model.similarity(four, four).tolist()]})
    return records


def splades(temp):
    specs = {}
    wordpiece = tokenizer_of(TINY)
    seed = SEED + 20
    bert = build(BertForMaskedLM, BertConfig(vocab_size=2748, max_position_embeddings=64, **COMMON), seed,
                 mlm_bias=MLM_BIAS)
    source = os.path.join(temp, "bert-mlm")
    save_hf(bert, wordpiece, source, 512)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        body = MLMTransformer(source, max_seq_length=48)
    out = os.path.join(OUT, "bert-splade-max")
    SparseEncoder(modules=[body, SpladePooling("max", embedding_dimension=2748)], device="cpu").save(
        out, create_model_card=False)
    specs["bert-splade-max"] = (out, seed)
    body = Transformer(source, transformer_task="fill-mask", max_seq_length=48)
    out = os.path.join(OUT, "bert-splade-sum")
    SparseEncoder(modules=[body, SpladePooling("sum", embedding_dimension=2748)], device="cpu",
                  similarity_fn_name="dot").save(
        out, create_model_card=False)
    specs["bert-splade-sum"] = (out, seed)

    seed = SEED + 21
    distil = build(DistilBertForMaskedLM, DistilBertConfig(vocab_size=2748, **DISTIL), seed, mlm_bias=MLM_BIAS)
    source = os.path.join(temp, "distilbert-mlm")
    save_hf(distil, tokenizer_of(TINY), source, 512)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        body = MLMTransformer(source)
    out = os.path.join(OUT, "distilbert-splade-max")
    SparseEncoder(modules=[body, SpladePooling("max", embedding_dimension=2748)], device="cpu",
                  similarity_fn_name="dot").save(out, create_model_card=False)
    specs["distilbert-splade-max"] = (out, seed)
    results = {name: splade_goldens(name, folder, seed) for name, (folder, seed) in specs.items()}
    results["bert-splade-max"]["loading_cases"] = splade_loading_cases(specs["bert-splade-max"][0])
    return results


def main():
    torch.set_num_threads(1)
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(GOLDENS)
    with tempfile.TemporaryDirectory() as temp:
        results = {**cross_encoders(temp), **splades(temp)}
    for name, content in results.items():
        dump(name, content)
        print("wrote", os.path.join(OUT, name), file=sys.stderr)


if __name__ == "__main__":
    main()
