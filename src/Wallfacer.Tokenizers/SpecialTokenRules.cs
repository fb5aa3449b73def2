namespace Wallfacer.Tokenizers;

/// <summary>
/// The special tokens llama.cpp recognises by their text, and the attribute fixes it applies
/// (src/llama-vocab.cpp, llama_vocab::impl::load, "auto-detect special tokens by text" and after).
/// llama.cpp walks an unordered_map, so when several texts qualify for one role the winner is
/// unspecified there; here the lowest id wins.
/// </summary>
internal sealed class SpecialTokenRules(string[] texts, TokenAttributes[] attributes)
{
    private static readonly string[] EotTexts =
        ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]",
         "<｜end▁of▁sentence｜>", "<end_of_utterance>"];

    private static readonly string[] EomTexts = ["<|eom_id|>"];
    private static readonly string[] FimPrefixTexts = ["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>"];
    private static readonly string[] FimSuffixTexts = ["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>"];
    private static readonly string[] FimMiddleTexts = ["<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>"];
    private static readonly string[] FimPadTexts = ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"];
    private static readonly string[] FimRepoTexts = ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"];
    private static readonly string[] FimSeparatorTexts = ["<|file_sep|>"];

    private static readonly HashSet<string> EndOfGenerationTexts = new(StringComparer.Ordinal)
    {
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>",
        "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
        "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[",
    };

    private static readonly HashSet<string> AlwaysRendered = new(StringComparer.Ordinal)
    {
        "<|channel|>", "<|message|>", "<|start|>", "<|constrain|>", // gpt-oss
    };

    /// <summary>Fills EOT, EOM and FIM ids not given by the file; the tokens found become control tokens.</summary>
    public void DetectByText(SpecialTokenIds ids)
    {
        ids.Eot ??= FindFirst(EotTexts);
        ids.Eom ??= FindFirst(EomTexts);
        ids.FimPrefix ??= FindFirst(FimPrefixTexts);
        ids.FimSuffix ??= FindFirst(FimSuffixTexts);
        ids.FimMiddle ??= FindFirst(FimMiddleTexts);
        ids.FimPad ??= FindFirst(FimPadTexts);
        ids.FimRepo ??= FindFirst(FimRepoTexts);
        ids.FimSeparator ??= FindFirst(FimSeparatorTexts);
    }

    /// <summary>Control tokens whose text contains "unused" are marked unused.</summary>
    public void MarkUnused()
    {
        for (int id = 0; id < texts.Length; id++)
        {
            if ((attributes[id] & TokenAttributes.Control) != 0 && texts[id].Contains("unused", StringComparison.Ordinal))
                attributes[id] |= TokenAttributes.Unused;
        }
    }

    /// <summary>The end-of-generation set, with llama.cpp's o200k-harmony / solar-open and gemma4 exceptions.</summary>
    public HashSet<int> EndOfGeneration(SpecialTokenIds ids)
    {
        var eog = new HashSet<int>();
        foreach (int? id in new[] { ids.FimPad, ids.FimRepo, ids.FimSeparator })
        {
            if (id is int v)
                eog.Add(v);
        }
        for (int id = 0; id < texts.Length; id++)
        {
            if (EndOfGenerationTexts.Contains(texts[id]))
            {
                eog.Add(id);
                attributes[id] |= TokenAttributes.Control;
            }
            if (AlwaysRendered.Contains(texts[id]))
                attributes[id] = TokenAttributes.UserDefined;
        }
        foreach (int? id in new[] { ids.Eos, ids.Eot, ids.Eom })
        {
            if (id is int v)
                eog.Add(v);
        }
        RemoveEndWhenHarmony(eog);
        RemoveClosingSWhenToolResponse(eog);
        return eog;
    }

    /// <summary>Per-model attribute fixes keyed by name (llama.cpp "set attributes by model/tokenizer/architecture name").</summary>
    public void ApplyModelSpecificAttributes(string? modelName, string? pre, string? architecture, Dictionary<string, int> idByText)
    {
        string name = (modelName ?? "").ToLowerInvariant();
        pre ??= "";
        architecture ??= "";
        if (ContainsAny(pre, "jina-v2-de", "jina-v2-es", "jina-v2-code") || ContainsAny(architecture, "nomic-bert-moe", "jina-bert-v3"))
        {
            if (idByText.TryGetValue("<mask>", out int mask))
                attributes[mask] |= TokenAttributes.LeftStrip;
        }
        else if (ContainsAny(name, "phi-3", "phi3"))
        {
            const TokenAttributes special = TokenAttributes.Control | TokenAttributes.UserDefined | TokenAttributes.Unknown;
            for (int id = 0; id < attributes.Length; id++)
            {
                if ((attributes[id] & special) != 0)
                    attributes[id] |= TokenAttributes.RightStrip;
            }
            SetStrip(idByText, "</s>", true);
            foreach (string t in new[] { "<unk>", "<s>", "<|endoftext|>" })
                SetStrip(idByText, t, false);
        }
        else if (name.Contains("modern-bert", StringComparison.Ordinal) && idByText.TryGetValue("[MASK]", out int mask))
        {
            attributes[mask] |= TokenAttributes.LeftStrip;
        }
    }

    private void SetStrip(Dictionary<string, int> idByText, string text, bool on)
    {
        if (!idByText.TryGetValue(text, out int id))
            throw new InvalidDataException($"Phi-3 vocabulary lacks the token '{text}' that llama.cpp requires.");
        attributes[id] = on ? attributes[id] | TokenAttributes.RightStrip : attributes[id] & ~TokenAttributes.RightStrip;
    }

    private static bool ContainsAny(string s, params string[] parts) => parts.Any(p => s.Contains(p, StringComparison.Ordinal));

    private int? FindFirst(string[] candidates)
    {
        for (int id = 0; id < texts.Length; id++)
        {
            if (Array.IndexOf(candidates, texts[id]) >= 0)
            {
                attributes[id] |= TokenAttributes.Control;
                return id;
            }
        }
        return null;
    }

    private void RemoveEndWhenHarmony(HashSet<int> eog)
    {
        var eogTexts = eog.Where(id => id >= 0 && id < texts.Length).ToDictionary(id => id, id => texts[id]);
        bool hasReturn = eogTexts.ContainsValue("<|return|>");
        bool hasCall = eogTexts.ContainsValue("<|call|>") || eogTexts.ContainsValue("<|calls|>");
        bool hasFlush = eogTexts.ContainsValue("<|flush|>");
        int end = eogTexts.FirstOrDefault(kv => kv.Value == "<|end|>", new(-1, "")).Key;
        if (end >= 0 && hasCall && (hasReturn || hasFlush))
        {
            eog.Remove(end);
            attributes[end] = TokenAttributes.UserDefined;
        }
    }

    private void RemoveClosingSWhenToolResponse(HashSet<int> eog)
    {
        bool hasToolResponse = eog.Any(id => texts[id] == "<|tool_response>");
        int s = eog.FirstOrDefault(id => texts[id] == "</s>", -1);
        if (hasToolResponse && s >= 0)
        {
            eog.Remove(s);
            attributes[s] = TokenAttributes.Normal;
        }
    }
}
