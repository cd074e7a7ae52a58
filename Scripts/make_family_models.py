#!/usr/bin/env python3
"""Makes tiny random sentence-transformers folders of the BERT-like families, and their goldens.

Each folder under Resources/families/<name>/ is a complete sentence-transformers folder: config.json and
model.safetensors saved by transformers' own classes (random normal weights, 3 layers of width 32), tokenizer.json
(+ tokenizer_config.json) of the family's kind, modules.json, 1_Pooling/config.json (mean), sentence_bert_config.json.

  roberta                RobertaModel + a byte-level BPE tokenizer (Resources/tokenizer/bpe)
  xlm-roberta            XLMRobertaForMaskedLM (weights under "roberta.", an unused lm_head) + a SentencePiece
                         Unigram tokenizer with the real Precompiled charsmap (Resources/tokenizer/unigram)
  camembert              CamembertModel + the same Unigram tokenizer
  bert-xlmr-tokenizer    BertModel + the Unigram tokenizer, as paraphrase-multilingual-MiniLM pairs them
  distilbert             DistilBertModel + a WordPiece tokenizer (tiny-bert's vocabulary)
  distilbert-sinusoidal  the same with sinusoidal_pos_embds, its position table left out of the checkpoint
                         (transformers recomputes it; so must the loader)
  mpnet                  MPNetModel + a WordPiece tokenizer laid out as all-mpnet-base-v2's (RobertaProcessing,
                         <mask> with lstrip, <unk> normalized); a 200-token sequence reaches the far buckets

Goldens under Resources/goldens/families/:
  <name>.json            every hidden state and the pooler output, from transformers, for id sequences: random ones
                         up to the longest the model takes, a padded batch, one holding the padding id
  <name>-sentence.json   sentence-transformers' vectors for every named pooling (raw) and the folder's own
                         pipeline normalized, and token embeddings, on multilingual texts (SentenceGoldens format)
A family whose tokenizer fixture is missing gets the encoder goldens only.

Run with the pinned stack: .venv/bin/python Scripts/make_family_models.py  (see Scripts/setup_venv.sh)
"""
import json
import os
import shutil
import sys
import tempfile

import sentence_transformers
import torch
import transformers
from safetensors.torch import load_file, save_file
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules.pooling import Pooling
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from tokenizers import AddedToken as HFAddedToken
from transformers import (
    BertConfig, BertModel, CamembertConfig, CamembertModel, DistilBertConfig, DistilBertModel, MPNetConfig,
    MPNetModel, RobertaConfig, RobertaModel, XLMRobertaConfig, XLMRobertaForMaskedLM)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "Resources", "families")
GOLDENS = os.path.join(ROOT, "Resources", "goldens", "families")
TOKENIZERS = os.path.join(ROOT, "Resources", "tokenizer")
TINY_VOCAB = os.path.join(ROOT, "Resources", "tiny-bert", "vocab.txt")
SEED = 20261130
COMMON = dict(hidden_size=32, num_hidden_layers=3, num_attention_heads=4, intermediate_size=64)
MAX_SEQ = 40

TEXTS = [
    "A man is eating food.",
    "The quick brown fox jumps over the lazy dog!",
    "",
    "a",
    "Héllo, wörld: naïve café in São Paulo.",
    "東京は日本の首都です。 Москва — столица России.",
    "Emoji 😀👍🏽 and symbols © ™ ½, numbers 3.14 and $19.99.",
    "  leading, trailing and   multiple   spaces  ",
    "A <mask> token and </s> written out",
    " ".join(["sentences are pooled from the token vectors of the last layer"] * 8),  # over max_seq_length
]
POOLINGS = [("cls", "cls"), ("max", "max"), ("mean", "mean"), ("mean-sqrt-len", "mean_sqrt_len_tokens"),
            ("weighted-mean", "weightedmean"), ("last-token", "lasttoken")]


# ---------------------------------------------------------------- tokenizers

def wordpiece_vocab():
    with open(TINY_VOCAB, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def special(content, **flags):
    return HFAddedToken(content, special=True, normalized=flags.pop("normalized", False), **flags)


def bert_wordpiece():
    vocab = wordpiece_vocab()
    tok = Tokenizer(models.WordPiece({t: i for i, t in enumerate(vocab)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    cls, sep = vocab.index("[CLS]"), vocab.index("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    tok.decoder = decoders.WordPiece()
    tok.add_special_tokens([special(t) for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]])
    return tok, {"cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]",
                 "mask_token": "[MASK]"}


def mpnet_wordpiece():
    """all-mpnet-base-v2's layout: <s> <pad> </s> <unk> first, the WordPiece vocabulary, <mask> last."""
    vocab = ["<s>", "<pad>", "</s>", "<unk>"] + wordpiece_vocab() + ["<mask>"]
    tok = Tokenizer(models.WordPiece({t: i for i, t in enumerate(vocab)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True,
                                                      add_prefix_space=False)
    tok.decoder = decoders.WordPiece()
    tok.add_special_tokens([special("<s>"), special("<pad>"), special("</s>"), special("<unk>", normalized=True),
                            special("[UNK]"), special("<mask>", lstrip=True)])
    return tok, {"cls_token": "<s>", "sep_token": "</s>", "pad_token": "<pad>", "unk_token": "[UNK]",
                 "mask_token": "<mask>", "bos_token": "<s>", "eos_token": "</s>"}


def fixture(name):
    """A tokenizer.json fixture of Resources/tokenizer/<name>, or None when it is absent."""
    path = os.path.join(TOKENIZERS, name, "tokenizer.json")
    if not os.path.exists(path):
        return None
    tok = Tokenizer.from_file(path)
    return tok, {"cls_token": "<s>", "sep_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>",
                 "mask_token": "<mask>", "bos_token": "<s>", "eos_token": "</s>"}


# ---------------------------------------------------------------- models

def families():
    roberta_like = dict(max_position_embeddings=MAX_SEQ + 2 + 30, type_vocab_size=1, layer_norm_eps=1e-5,
                        pad_token_id=1, **COMMON)
    distil = dict(dim=32, n_layers=3, n_heads=4, hidden_dim=64, activation="gelu", max_position_embeddings=64)
    return {
        "roberta": (RobertaModel, lambda v: RobertaConfig(vocab_size=v, **roberta_like), lambda: fixture("bpe"), 1),
        "xlm-roberta": (XLMRobertaForMaskedLM, lambda v: XLMRobertaConfig(vocab_size=v, **roberta_like),
                        lambda: fixture("unigram"), 1),
        "camembert": (CamembertModel, lambda v: CamembertConfig(vocab_size=v, **roberta_like),
                      lambda: fixture("unigram"), 1),
        "bert-xlmr-tokenizer": (BertModel, lambda v: BertConfig(vocab_size=v, max_position_embeddings=64, **COMMON),
                                lambda: fixture("unigram"), 0),
        "distilbert": (DistilBertModel, lambda v: DistilBertConfig(vocab_size=v, **distil), bert_wordpiece, 0),
        "distilbert-sinusoidal": (DistilBertModel,
                                  lambda v: DistilBertConfig(vocab_size=v, sinusoidal_pos_embds=True, **distil),
                                  bert_wordpiece, 0),
        "mpnet": (MPNetModel, lambda v: MPNetConfig(vocab_size=v, max_position_embeddings=260, layer_norm_eps=1e-5,
                                                    **COMMON), mpnet_wordpiece, 1),
    }


def randomize(model, config):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "position_embeddings" in name and getattr(config, "sinusoidal_pos_embds", False):
                continue  # keep transformers' sinusoids
            if name.endswith(("LayerNorm.weight", "layer_norm.weight")):
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
            elif "relative_attention_bias" in name:
                p.copy_(torch.randn_like(p))
            else:
                p.copy_(0.2 * torch.randn_like(p))


def write_sentence_files(out, tokenizer, names):
    tokenizer.no_truncation()
    tokenizer.no_padding()
    tokenizer.save(os.path.join(out, "tokenizer.json"))
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 512, **names}, f, indent=1)
    with open(os.path.join(out, "modules.json"), "w") as f:
        json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                   {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}],
                  f, indent=2)
    os.makedirs(os.path.join(out, "1_Pooling"), exist_ok=True)
    with open(os.path.join(out, "1_Pooling", "config.json"), "w") as f:
        json.dump({"word_embedding_dimension": 32, "pooling_mode": "mean"}, f, indent=2)
    with open(os.path.join(out, "sentence_bert_config.json"), "w") as f:
        json.dump({"max_seq_length": MAX_SEQ, "do_lower_case": False}, f, indent=2)


# ---------------------------------------------------------------- goldens

def rounded(values):
    return [float(f"{v:.8g}") for v in values]


def id_cases(pad_id, max_tokens, vocab, generator):
    def random_ids(n):
        return [int(v) for v in torch.randint(5, vocab, (n,), generator=generator)]
    result = [(f"random, {n} tokens", [random_ids(n)], False) for n in (1, 5, 17, 40)]
    result.append(("padded batch", [random_ids(n) for n in (12, 3, 30, 7)], True))
    with_pad = random_ids(9)
    with_pad[4] = pad_id
    result.append(("the padding id inside a sequence", [with_pad], False))
    result.append((f"random, {max_tokens} tokens (the longest)", [random_ids(max_tokens)], False))
    return result


def encoder_goldens(name, encoder, config, pad_id, longest):
    generator = torch.Generator().manual_seed(SEED)
    records = []
    for case_name, batch, padded in id_cases(pad_id, longest, config.vocab_size, generator):
        length = max(len(b) for b in batch)
        ids = torch.tensor([b + [pad_id] * (length - len(b)) for b in batch])
        mask = torch.tensor([[1] * len(b) + [0] * (length - len(b)) for b in batch])
        with torch.no_grad():
            result = encoder(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        pooled = getattr(result, "pooler_output", None)
        records.append({
            "name": case_name, "batch": batch, "padded": padded,
            "hidden_states": [[rounded(layer[s, :len(b)].flatten().tolist()) for s, b in enumerate(batch)]
                              for layer in result.hidden_states],
            "pooler_output": [] if pooled is None else [rounded(row) for row in pooled.tolist()],
        })
    return {"generator": "Scripts/make_family_models.py", "seed": SEED, "model": name,
            "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
            "hidden_size": 32, "num_hidden_layers": COMMON["num_hidden_layers"], "cases": records}


def token_ids(model, texts):
    features = model.preprocess(texts)
    return [[i for i, m in zip(ids, mask) if m] for ids, mask in
            zip(features["input_ids"].tolist(), features["attention_mask"].tolist())]


def sentence_goldens(name, folder):
    base = SentenceTransformer(folder, device="cpu")
    cases = []
    for cli_name, mode in POOLINGS:
        model = SentenceTransformer(modules=[base[0], Pooling(32, pooling_mode=mode)], device="cpu")
        vectors = model.encode(TEXTS, batch_size=64, convert_to_numpy=True)
        cases.append({"name": f"raw {cli_name}", "variant": None, "pooling": cli_name, "options": {"normalize": False},
                      "texts": TEXTS, "ids": token_ids(base, TEXTS), "vectors": [rounded(v.tolist()) for v in vectors]})
    vectors = base.encode(TEXTS, batch_size=64, convert_to_numpy=True, normalize_embeddings=True)
    cases.append({"name": "folder (mean), normalize_embeddings", "variant": None, "pooling": None,
                  "options": {"normalize": True}, "texts": TEXTS, "ids": token_ids(base, TEXTS),
                  "vectors": [rounded(v.tolist()) for v in vectors]})
    tokens = base.encode(TEXTS[:5], batch_size=64, output_value="token_embeddings")
    cases.append({"name": "token embeddings", "variant": None, "pooling": None, "options": {},
                  "output": "token_embeddings", "texts": TEXTS[:5], "ids": token_ids(base, TEXTS[:5]),
                  "tokens": [[rounded(row) for row in t.tolist()] for t in tokens]})
    # Strategies sentence-transformers has no module for, from the transformers model with the attention mask.
    features = base.preprocess(TEXTS)
    mask = features["attention_mask"].unsqueeze(-1).float()
    auto = base[0].auto_model
    inputs = {k: v for k, v in features.items() if k in ("input_ids", "attention_mask", "token_type_ids")}
    with torch.inference_mode():
        out = auto(**inputs, output_hidden_states=True)
    hidden = out.hidden_states

    def masked_mean(x):
        return (x * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
    results = {"second-to-last-mean": masked_mean(hidden[-2]),
               "last4-concat": masked_mean(torch.cat([hidden[-1], hidden[-2], hidden[-3], hidden[-4]], dim=-1)),
               "last4-sum": masked_mean(hidden[-1] + hidden[-2] + hidden[-3] + hidden[-4])}
    # The pooler only where the checkpoint has its weights (transformers fills missing ones with random values).
    stored = load_file(os.path.join(folder, "model.safetensors"))
    if getattr(out, "pooler_output", None) is not None and any(".pooler." in f".{k}" for k in stored):
        results["pooler"] = out.pooler_output
    for strategy, values in results.items():
        cases.append({"name": f"transformers {strategy}", "variant": None, "pooling": strategy,
                      "options": {"normalize": False}, "texts": TEXTS, "ids": token_ids(base, TEXTS),
                      "vectors": [rounded(v) for v in values.tolist()]})
    return {"generator": "Scripts/make_family_models.py", "model": name,
            "versions": {"sentence_transformers": sentence_transformers.__version__,
                         "transformers": transformers.__version__, "torch": torch.__version__},
            "cases": cases}


def main():
    os.makedirs(GOLDENS, exist_ok=True)
    for name, (cls, make_config, make_tokenizer, pad_id) in families().items():
        tokenizer = make_tokenizer()
        vocab = tokenizer[0].get_vocab_size(with_added_tokens=True) if tokenizer else 100
        config = make_config(vocab)
        torch.manual_seed(SEED)
        config._attn_implementation = "eager"
        model = cls(config).eval()
        randomize(model, config)
        out = os.path.join(MODELS, name)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        model.save_pretrained(out, safe_serialization=True)
        if name == "distilbert-sinusoidal":  # leave the table out: the loader must recompute it
            path = os.path.join(out, "model.safetensors")
            tensors = load_file(path)
            del tensors["embeddings.position_embeddings.weight"]
            save_file(tensors, path, metadata={"format": "pt"})
        encoder = model.roberta if name == "xlm-roberta" else model
        offset = pad_id + 1 if name in ("roberta", "xlm-roberta", "camembert", "mpnet") else 0
        longest = 200 if name == "mpnet" else config.max_position_embeddings - offset
        with open(os.path.join(GOLDENS, name + ".json"), "w") as f:
            json.dump(encoder_goldens(name, encoder, config, pad_id, longest), f)
        if tokenizer is None:
            print(f"{name}: no tokenizer fixture, encoder goldens only", file=sys.stderr)
            continue
        write_sentence_files(out, *tokenizer)
        with open(os.path.join(GOLDENS, name + "-sentence.json"), "w") as f:
            json.dump(sentence_goldens(name, out), f, ensure_ascii=False, separators=(",", ":"))
        print("wrote", out, file=sys.stderr)


if __name__ == "__main__":
    main()
