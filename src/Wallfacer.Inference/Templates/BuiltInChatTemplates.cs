namespace Wallfacer.Inference.Templates;

/// <summary>
/// Chat templates for GGUF files that carry none (<c>tokenizer.chat_template</c> absent), one per
/// format, written as Jinja for <see cref="JinjaTemplate"/>. Each follows its family's published
/// format; <c>bos_token</c> appears where the upstream template writes it (undefined prints nothing).
/// Message content may be a string, null, or a list of <c>{"type": "text", "text": ...}</c> parts.
/// </summary>
public static class BuiltInChatTemplates
{
    // Prepended to every template: the text of a message whatever shape its content has.
    private const string TextMacro =
        "{%- macro text(content) -%}" +
        "{%- if content is string -%}{{ content }}" +
        "{%- elif content is iterable and content is not mapping -%}" +
        "{%- for part in content if part is mapping and part.type == 'text' -%}{{ part.text }}{%- endfor -%}" +
        "{%- endif -%}" +
        "{%- endmacro -%}";

    /// <summary>ChatML (Qwen, MiniCPM3/4, SmolLM, Hermes): <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>.</summary>
    public const string ChatMl = TextMacro +
        "{%- for message in messages -%}" +
        "{{ '<|im_start|>' + message.role + '\\n' + text(message.content) + '<|im_end|>\\n' }}" +
        "{%- endfor -%}" +
        "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\\n' }}{%- endif -%}";

    /// <summary>Llama 3: header tokens around the role, content trimmed, <c>&lt;|eot_id|&gt;</c> after each turn.</summary>
    public const string Llama3 = TextMacro +
        "{{- bos_token -}}" +
        "{%- for message in messages -%}" +
        "{{ '<|start_header_id|>' + message.role + '<|end_header_id|>\\n\\n' + text(message.content) | trim + '<|eot_id|>' }}" +
        "{%- endfor -%}" +
        "{%- if add_generation_prompt -%}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif -%}";

    /// <summary>Llama 2 chat: <c>&lt;s&gt;[INST] &lt;&lt;SYS&gt;&gt;\nsys\n&lt;&lt;/SYS&gt;&gt;\n\nuser [/INST] answer &lt;/s&gt;</c>.</summary>
    public const string Llama2 = TextMacro +
        "{%- set ns = namespace(system='') -%}" +
        "{%- for message in messages -%}" +
        "{%- if message.role == 'system' -%}{%- set ns.system = '<<SYS>>\\n' + text(message.content) | trim + '\\n<</SYS>>\\n\\n' -%}" +
        "{%- elif message.role == 'user' -%}{{ bos_token + '[INST] ' + ns.system + text(message.content) | trim + ' [/INST]' }}{%- set ns.system = '' -%}" +
        "{%- else -%}{{ ' ' + text(message.content) | trim + ' ' + eos_token }}" +
        "{%- endif -%}" +
        "{%- endfor -%}";

    /// <summary>Mistral v1: <c>&lt;s&gt;[INST] user [/INST] answer&lt;/s&gt;</c>; a system message prefixes the next user turn.</summary>
    public const string Mistral = TextMacro +
        "{{- bos_token -}}" +
        "{%- set ns = namespace(system='') -%}" +
        "{%- for message in messages -%}" +
        "{%- if message.role == 'system' -%}{%- set ns.system = text(message.content) | trim + '\\n\\n' -%}" +
        "{%- elif message.role == 'user' -%}{{ '[INST] ' + ns.system + text(message.content) | trim + ' [/INST]' }}{%- set ns.system = '' -%}" +
        "{%- else -%}{{ ' ' + text(message.content) | trim + eos_token }}" +
        "{%- endif -%}" +
        "{%- endfor -%}";

    /// <summary>Gemma: <c>&lt;start_of_turn&gt;user\n...&lt;end_of_turn&gt;\n</c>, the assistant is <c>model</c>;
    /// Gemma has no system role, so a system message prefixes the next user turn.</summary>
    public const string Gemma = TextMacro +
        "{{- bos_token -}}" +
        "{%- set ns = namespace(system='') -%}" +
        "{%- for message in messages -%}" +
        "{%- if message.role == 'system' -%}{%- set ns.system = text(message.content) | trim + '\\n\\n' -%}" +
        "{%- else -%}" +
        "{%- set role = 'model' if message.role == 'assistant' else message.role -%}" +
        "{{ '<start_of_turn>' + role + '\\n' + ns.system + text(message.content) | trim + '<end_of_turn>\\n' }}{%- set ns.system = '' -%}" +
        "{%- endif -%}" +
        "{%- endfor -%}" +
        "{%- if add_generation_prompt -%}{{ '<start_of_turn>model\\n' }}{%- endif -%}";

    /// <summary>Phi-3: <c>&lt;|role|&gt;\ncontent&lt;|end|&gt;\n</c>.</summary>
    public const string Phi3 = TextMacro +
        "{%- for message in messages -%}" +
        "{{ '<|' + message.role + '|>\\n' + text(message.content) + '<|end|>\\n' }}" +
        "{%- endfor -%}" +
        "{%- if add_generation_prompt -%}{{ '<|assistant|>\\n' }}{%- endif -%}";

    /// <summary>MiniCPM-1/2: <c>&lt;用户&gt;user&lt;AI&gt;answer</c> with nothing between turns; a system message is
    /// bare text. <c>&lt;AI&gt;</c> always follows a user turn, so there is no separate generation prompt.</summary>
    public const string MiniCpm = TextMacro +
        "{%- for message in messages -%}" +
        "{%- if message.role == 'user' -%}{{ '<用户>' + text(message.content) | trim + '<AI>' }}" +
        "{%- else -%}{{ text(message.content) | trim }}" +
        "{%- endif -%}" +
        "{%- endfor -%}";

    /// <summary>Zephyr: <c>&lt;|role|&gt;\ncontent&lt;/s&gt;\n</c> (the end marker is the EOS token).</summary>
    public const string Zephyr = TextMacro +
        "{%- for message in messages -%}" +
        "{{ '<|' + message.role + '|>\\n' + text(message.content) + eos_token + '\\n' }}" +
        "{%- endfor -%}" +
        "{%- if add_generation_prompt -%}{{ '<|assistant|>\\n' }}{%- endif -%}";

    /// <summary>Every built-in template by name.</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["chatml"] = ChatMl,
        ["llama3"] = Llama3,
        ["llama2"] = Llama2,
        ["mistral"] = Mistral,
        ["gemma"] = Gemma,
        ["phi3"] = Phi3,
        ["minicpm"] = MiniCpm,
        ["zephyr"] = Zephyr,
    };

    /// <summary>
    /// Picks the format whose special tokens the vocabulary has, checked in this order (the first hit
    /// wins, so a MiniCPM4 vocabulary with both <c>&lt;|im_start|&gt;</c> and <c>&lt;用户&gt;</c> gets ChatML);
    /// ChatML when none match. Llama 2 writes <c>[INST]</c> as plain text, so it is never inferred
    /// from tokens: a vocabulary with an <c>[INST]</c> token is Mistral's.
    /// </summary>
    public static (string Name, string Source) Choose(string architecture, Func<string, bool> hasToken)
    {
        ArgumentNullException.ThrowIfNull(hasToken);
        string name =
            hasToken("<|im_start|>") ? "chatml"
            : hasToken("<|start_header_id|>") ? "llama3"
            : hasToken("<start_of_turn>") ? "gemma"
            : hasToken("<|user|>") && hasToken("<|end|>") ? "phi3"
            : hasToken("<用户>") ? "minicpm"
            : hasToken("[INST]") ? "mistral"
            : hasToken("<|user|>") ? "zephyr"
            : ByArchitecture(architecture);
        return (name, All[name]);
    }

    private static string ByArchitecture(string architecture) => architecture switch
    {
        "gemma" or "gemma2" or "gemma3" => "gemma",
        "phi3" => "phi3",
        _ => "chatml",
    };
}
