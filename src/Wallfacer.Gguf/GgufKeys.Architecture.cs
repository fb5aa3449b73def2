namespace Wallfacer.Gguf;

public static partial class GgufKeys
{
    // Per-architecture hyperparameters: "<arch>.<name>" (llama-arch.cpp LLM_KV_NAMES, "%s." entries).
    public static string VocabSize(string arch) => $"{arch}.vocab_size";
    public static string ContextLength(string arch) => $"{arch}.context_length";
    public static string EmbeddingLength(string arch) => $"{arch}.embedding_length";
    public static string BlockCount(string arch) => $"{arch}.block_count";
    public static string LeadingDenseBlockCount(string arch) => $"{arch}.leading_dense_block_count";
    public static string FeedForwardLength(string arch) => $"{arch}.feed_forward_length";
    public static string ExpertFeedForwardLength(string arch) => $"{arch}.expert_feed_forward_length";
    public static string ExpertSharedFeedForwardLength(string arch) => $"{arch}.expert_shared_feed_forward_length";
    public static string UseParallelResidual(string arch) => $"{arch}.use_parallel_residual";
    public static string TensorDataLayout(string arch) => $"{arch}.tensor_data_layout";
    public static string ExpertCount(string arch) => $"{arch}.expert_count";
    public static string ExpertUsedCount(string arch) => $"{arch}.expert_used_count";
    public static string ExpertSharedCount(string arch) => $"{arch}.expert_shared_count";
    public static string ExpertWeightsScale(string arch) => $"{arch}.expert_weights_scale";
    public static string ExpertWeightsNorm(string arch) => $"{arch}.expert_weights_norm";
    public static string ExpertGatingFunc(string arch) => $"{arch}.expert_gating_func";
    public static string PoolingType(string arch) => $"{arch}.pooling_type";
    public static string LogitScale(string arch) => $"{arch}.logit_scale";
    public static string ResidualScale(string arch) => $"{arch}.residual_scale";
    public static string EmbeddingScale(string arch) => $"{arch}.embedding_scale";
    public static string DecoderStartTokenId(string arch) => $"{arch}.decoder_start_token_id";
    public static string AttentionLogitSoftcapping(string arch) => $"{arch}.attn_logit_softcapping";
    public static string FinalLogitSoftcapping(string arch) => $"{arch}.final_logit_softcapping";

    // <arch>.attention.*
    public static string HeadCount(string arch) => $"{arch}.attention.head_count";
    public static string HeadCountKv(string arch) => $"{arch}.attention.head_count_kv";
    public static string MaxAlibiBias(string arch) => $"{arch}.attention.max_alibi_bias";
    public static string ClampKqv(string arch) => $"{arch}.attention.clamp_kqv";
    public static string KeyLength(string arch) => $"{arch}.attention.key_length";
    public static string ValueLength(string arch) => $"{arch}.attention.value_length";
    public static string LayerNormEpsilon(string arch) => $"{arch}.attention.layer_norm_epsilon";
    public static string LayerNormRmsEpsilon(string arch) => $"{arch}.attention.layer_norm_rms_epsilon";
    public static string AttentionCausal(string arch) => $"{arch}.attention.causal";
    public static string QLoraRank(string arch) => $"{arch}.attention.q_lora_rank";
    public static string KvLoraRank(string arch) => $"{arch}.attention.kv_lora_rank";
    public static string SlidingWindow(string arch) => $"{arch}.attention.sliding_window";
    public static string SlidingWindowPattern(string arch) => $"{arch}.attention.sliding_window_pattern";
    public static string AttentionScale(string arch) => $"{arch}.attention.scale";
    public static string KeyLengthMla(string arch) => $"{arch}.attention.key_length_mla";
    public static string ValueLengthMla(string arch) => $"{arch}.attention.value_length_mla";

    // <arch>.rope.*
    public static string RopeDimensionCount(string arch) => $"{arch}.rope.dimension_count";
    public static string RopeDimensionSections(string arch) => $"{arch}.rope.dimension_sections";
    public static string RopeFreqBase(string arch) => $"{arch}.rope.freq_base";
    public static string RopeFreqBaseSwa(string arch) => $"{arch}.rope.freq_base_swa";
    public static string RopeScaleLinear(string arch) => $"{arch}.rope.scale_linear";
    public static string RopeScalingType(string arch) => $"{arch}.rope.scaling.type";
    public static string RopeScalingFactor(string arch) => $"{arch}.rope.scaling.factor";
    public static string RopeScalingAttnFactor(string arch) => $"{arch}.rope.scaling.attn_factor";
    public static string RopeScalingOriginalContextLength(string arch) => $"{arch}.rope.scaling.original_context_length";
    public static string RopeScalingFinetuned(string arch) => $"{arch}.rope.scaling.finetuned";
    public static string RopeScalingYarnLogMultiplier(string arch) => $"{arch}.rope.scaling.yarn_log_multiplier";
    public static string RopeScalingYarnExtFactor(string arch) => $"{arch}.rope.scaling.yarn_ext_factor";
    public static string RopeScalingYarnAttnFactor(string arch) => $"{arch}.rope.scaling.yarn_attn_factor";
    public static string RopeScalingYarnBetaFast(string arch) => $"{arch}.rope.scaling.yarn_beta_fast";
    public static string RopeScalingYarnBetaSlow(string arch) => $"{arch}.rope.scaling.yarn_beta_slow";

    // <arch>.ssm.* (Mamba-style state-space layers)
    public static string SsmConvKernel(string arch) => $"{arch}.ssm.conv_kernel";
    public static string SsmInnerSize(string arch) => $"{arch}.ssm.inner_size";
    public static string SsmStateSize(string arch) => $"{arch}.ssm.state_size";
    public static string SsmTimeStepRank(string arch) => $"{arch}.ssm.time_step_rank";
    public static string SsmGroupCount(string arch) => $"{arch}.ssm.group_count";
}
