using System.Runtime.InteropServices;

namespace Wallfacer.Conformance.Reference;

/// <summary>
/// The llama.cpp v0.5.0 C functions we call, as unmanaged function pointers looked up in the libraries
/// <see cref="LlamaLibrary"/> loads by full path. Function pointers rather than <c>[DllImport]</c> with
/// <c>NativeLibrary.SetDllImportResolver</c>: an assembly can have only one resolver, and other bindings
/// in this test assembly (the ggml quant kernels) may want theirs. C <c>bool</c> is passed as one
/// <see cref="byte"/>; structs are blittable and passed by value exactly as llama.h declares.
/// </summary>
internal static unsafe class LlamaNative
{
    public static delegate* unmanaged<byte*, void> BackendLoadAllFromPath;
    public static delegate* unmanaged<void> BackendInit;
    public static delegate* unmanaged<nint, void*, void> LogSet;

    public static delegate* unmanaged<LlamaModelParams> ModelDefaultParams;
    public static delegate* unmanaged<LlamaContextParams> ContextDefaultParams;
    public static delegate* unmanaged<byte*, LlamaModelParams, nint> ModelLoadFromFile;
    public static delegate* unmanaged<nint, void> ModelFree;
    public static delegate* unmanaged<nint, LlamaContextParams, nint> InitFromModel;
    public static delegate* unmanaged<nint, void> Free;

    public static delegate* unmanaged<nint, nint> ModelGetVocab;
    public static delegate* unmanaged<nint, int> VocabTokenCount;
    public static delegate* unmanaged<nint, int> VocabBos;
    public static delegate* unmanaged<nint, int> VocabEos;
    public static delegate* unmanaged<nint, int, byte> VocabIsEog;

    // (vocab, text, text_len, tokens, n_tokens_max, add_special, parse_special)
    public static delegate* unmanaged<nint, byte*, int, int*, int, byte, byte, int> Tokenize;
    // (vocab, token, buf, length, lstrip, special)
    public static delegate* unmanaged<nint, int, byte*, int, int, byte, int> TokenToPiece;
    // (vocab, tokens, n_tokens, text, text_len_max, remove_special, unparse_special)
    public static delegate* unmanaged<nint, int*, int, byte*, int, byte, byte, int> Detokenize;

    public static delegate* unmanaged<nint, nint> GetMemory;
    public static delegate* unmanaged<nint, byte, void> MemoryClear;
    public static delegate* unmanaged<int, int, int, LlamaBatch> BatchInit;
    public static delegate* unmanaged<LlamaBatch, void> BatchFree;
    public static delegate* unmanaged<nint, LlamaBatch, int> Decode;
    public static delegate* unmanaged<nint, int, float*> GetLogitsIth;

    // Grammar sampler: (vocab, grammar_str, grammar_root) → sampler or null when the grammar does not parse.
    public static delegate* unmanaged<nint, byte*, byte*, nint> SamplerInitGrammar;
    public static delegate* unmanaged<nint, LlamaTokenDataArray*, void> SamplerApply;
    public static delegate* unmanaged<nint, int, void> SamplerAccept;
    public static delegate* unmanaged<nint, void> SamplerFree;

    /// <summary>Looks every function up; throws naming the first missing symbol.</summary>
    public static void Bind(nint llama, nint ggml)
    {
        BackendLoadAllFromPath = (delegate* unmanaged<byte*, void>)Export(ggml, "ggml_backend_load_all_from_path");
        BackendInit = (delegate* unmanaged<void>)Export(llama, "llama_backend_init");
        LogSet = (delegate* unmanaged<nint, void*, void>)Export(llama, "llama_log_set");
        ModelDefaultParams = (delegate* unmanaged<LlamaModelParams>)Export(llama, "llama_model_default_params");
        ContextDefaultParams = (delegate* unmanaged<LlamaContextParams>)Export(llama, "llama_context_default_params");
        ModelLoadFromFile = (delegate* unmanaged<byte*, LlamaModelParams, nint>)Export(llama, "llama_model_load_from_file");
        ModelFree = (delegate* unmanaged<nint, void>)Export(llama, "llama_model_free");
        InitFromModel = (delegate* unmanaged<nint, LlamaContextParams, nint>)Export(llama, "llama_init_from_model");
        Free = (delegate* unmanaged<nint, void>)Export(llama, "llama_free");
        ModelGetVocab = (delegate* unmanaged<nint, nint>)Export(llama, "llama_model_get_vocab");
        VocabTokenCount = (delegate* unmanaged<nint, int>)Export(llama, "llama_vocab_n_tokens");
        VocabBos = (delegate* unmanaged<nint, int>)Export(llama, "llama_vocab_bos");
        VocabEos = (delegate* unmanaged<nint, int>)Export(llama, "llama_vocab_eos");
        VocabIsEog = (delegate* unmanaged<nint, int, byte>)Export(llama, "llama_vocab_is_eog");
        Tokenize = (delegate* unmanaged<nint, byte*, int, int*, int, byte, byte, int>)Export(llama, "llama_tokenize");
        TokenToPiece = (delegate* unmanaged<nint, int, byte*, int, int, byte, int>)Export(llama, "llama_token_to_piece");
        Detokenize = (delegate* unmanaged<nint, int*, int, byte*, int, byte, byte, int>)Export(llama, "llama_detokenize");
        GetMemory = (delegate* unmanaged<nint, nint>)Export(llama, "llama_get_memory");
        MemoryClear = (delegate* unmanaged<nint, byte, void>)Export(llama, "llama_memory_clear");
        BatchInit = (delegate* unmanaged<int, int, int, LlamaBatch>)Export(llama, "llama_batch_init");
        BatchFree = (delegate* unmanaged<LlamaBatch, void>)Export(llama, "llama_batch_free");
        Decode = (delegate* unmanaged<nint, LlamaBatch, int>)Export(llama, "llama_decode");
        GetLogitsIth = (delegate* unmanaged<nint, int, float*>)Export(llama, "llama_get_logits_ith");
        SamplerInitGrammar = (delegate* unmanaged<nint, byte*, byte*, nint>)Export(llama, "llama_sampler_init_grammar");
        SamplerApply = (delegate* unmanaged<nint, LlamaTokenDataArray*, void>)Export(llama, "llama_sampler_apply");
        SamplerAccept = (delegate* unmanaged<nint, int, void>)Export(llama, "llama_sampler_accept");
        SamplerFree = (delegate* unmanaged<nint, void>)Export(llama, "llama_sampler_free");
    }

    private static nint Export(nint library, string name) =>
        NativeLibrary.TryGetExport(library, name, out nint address)
            ? address
            : throw new EntryPointNotFoundException(
                $"llama.cpp reference library lacks '{name}': is it release v0.5.0? Re-run scripts/install-reference.sh.");
}
