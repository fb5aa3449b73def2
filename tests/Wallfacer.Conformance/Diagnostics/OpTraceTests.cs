using System.Text;
using Wallfacer.Conformance.Models;
using Wallfacer.Conformance.Reference;
using Wallfacer.Models;
using Wallfacer.Models.Blocks;
using Wallfacer.Models.Cache;
using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;
using Wallfacer.Numerics.Threading;
using Wallfacer.TestSupport;
using Xunit.Abstractions;

namespace Wallfacer.Conformance.Diagnostics;

/// <summary>
/// Op by op against llama.cpp: each step of layer 0 runs in Wallfacer on llama.cpp's own input to that step
/// (captured with its eval callback), and its output is compared with llama.cpp's. A difference then belongs
/// to that op alone, not to anything upstream. (This is how the last RoPE difference was found: ggml's build
/// fuses one product of each rotation into an FMA; see <c>Rope</c>.) The minicpm scales and the final
/// norm/projection are covered by the whole-model logit comparison.
/// </summary>
[Collection(LlamaCollection.Name)]
public class OpTraceTests(ITestOutputHelper output)
{
    [ReferenceTheory(NeedsFloatOrder = true)]
    [InlineData("llama", GgmlType.F32)]
    [InlineData("minicpm", GgmlType.F16)]
    [InlineData("qwen2", GgmlType.F32)]
    [InlineData("qwen3", GgmlType.BF16)]
    public void Every_op_is_bit_identical_to_llama_cpp_on_its_own_inputs(string arch, GgmlType type)
    {
        const int n = 72;
        string path = Path.Combine(TestPaths.NewTempDir(), $"{arch}-{type}.gguf");
        SyntheticModelWriter.Write(SyntheticConformanceTests.Spec(arch, type), path);
        using var capture = new TensorCapture(_ => true);
        using var reference = LlamaReferenceModel.Load(path, threads: 2, contextSize: 256, capture: capture);
        reference.EvaluateLogits(SyntheticConformanceTests.PromptTokens(reference.Bos, n));

        using var model = DecoderModel.Load(path);
        var c = model.Config;
        using var pool = new WorkerPool(2);
        var matmul = new MatMul();
        var report = new StringBuilder();
        var t = capture.Tensors;
        int E = c.EmbeddingLength;
        for (int l = 0; l < c.BlockCount; l++)
        {
            var layer = model.Weights.Layers[l];
            string sfx = "-" + l;
            int Index(string name) => t.FindIndex(x => x.Name == name);
            float[] First(string name) => t.First(x => x.Name == name).Values;
            float[] Last(string name) => t.Last(x => x.Name == name).Values;
            float[] After(string name) => t[Index(name) + 1].Values;

            float[] input = t[Index("norm" + sfx) - 1].Values; // the layer's input (minicpm: the scaled embedding)
            var normed = new float[n * E];
            for (int r = 0; r < n; r++)
                RmsNorm.Apply(input.AsSpan(r * E, E), layer.AttentionNorm, normed.AsSpan(r * E, E), c.RmsNormEpsilon);
            Report(report, "attn_norm" + sfx, normed, First("attn_norm" + sfx), n);

            var x = First("attn_norm" + sfx);
            var q = new float[n * c.QueryWidth];
            matmul.Multiply(layer.Query, x, q, n, pool);
            Report(report, "Wq·x", q, First("Qcur" + sfx), n);
            var k = new float[n * c.KeyWidth];
            matmul.Multiply(layer.Key, x, k, n, pool);
            Report(report, "Wk·x", k, First("Kcur" + sfx), n);
            var v = new float[n * c.ValueWidth];
            matmul.Multiply(layer.Value, x, v, n, pool);
            Report(report, "Wv·x", v, First("Vcur" + sfx), n);

            if (layer.QueryNorm is { } qn)
            {
                var theirQ = (float[])First("Qcur" + sfx).Clone();
                for (int h = 0; h < n * c.HeadCount; h++)
                    RmsNorm.Apply(theirQ.AsSpan(h * c.KeyHeadDim, c.KeyHeadDim), qn, theirQ.AsSpan(h * c.KeyHeadDim, c.KeyHeadDim), c.RmsNormEpsilon);
                Report(report, "q_norm", theirQ, First("Qcur_normed" + sfx), n);
            }

            // RoPE on llama.cpp's pre-rope Q (after q_norm when present) at positions 0..n-1.
            var preRope = (float[])(layer.QueryNorm is null ? t[Index("Qcur" + sfx) + 1].Values : First("Qcur_normed" + sfx)).Clone();
            var cos = new float[c.RotaryDims / 2];
            var sin = new float[c.RotaryDims / 2];
            var factors = model.Weights.RopeFactorsFor(256);
            for (int p = 0; p < n; p++)
            {
                Rope.ComputeAngles(p, c.RotaryDims, c.RopeFreqBase, factors, cos, sin);
                for (int h = 0; h < c.HeadCount; h++)
                    Rope.Apply(preRope.AsSpan((p * c.HeadCount + h) * c.KeyHeadDim, c.KeyHeadDim), cos, sin, c.RopePairing);
            }
            Report(report, "rope(q)", preRope, Last("Qcur" + sfx), n);
            var qFinal = Last("Qcur" + sfx);
            var kFinal = Last("Kcur" + sfx);
            var vFinal = Last("Vcur" + sfx);
            var cache = new KvCache(c, 256);
            for (int p = 0; p < n; p++)
                cache.Store(0, p, kFinal.AsSpan(p * c.KeyWidth, c.KeyWidth), vFinal.AsSpan(p * c.ValueWidth, c.ValueWidth));
            cache.SetLength(n);
            var attention = new AttentionWork(c, pool.ThreadCount);
            var attnOut = new float[n * c.HeadCount * c.ValueHeadDim];
            attention.Run(pool, cache, 0, (float[])qFinal.Clone(), attnOut, n, 0);
            Report(report, "flash-attn", attnOut, First("kqv_out" + sfx), n);

            var projected = new float[n * E];
            matmul.Multiply(layer.AttentionOutput, First("kqv_out" + sfx), projected, n, pool);
            Report(report, "Wo·attn", projected, After("kqv_out" + sfx), n);

            var residual = (float[])input.Clone();
            VectorOps.AddScaled(residual, After("kqv_out" + sfx), c.ResidualScale);
            Report(report, "+residual", residual, First("ffn_inp" + sfx), n);

            var ffnIn = First("ffn_inp" + sfx);
            var ffnNormed = new float[n * E];
            for (int r = 0; r < n; r++)
                RmsNorm.Apply(ffnIn.AsSpan(r * E, E), layer.FeedForwardNorm, ffnNormed.AsSpan(r * E, E), c.RmsNormEpsilon);
            Report(report, "ffn_norm", ffnNormed, First("ffn_norm" + sfx), n);
            var gate = new float[n * c.FeedForwardLength];
            var up = new float[n * c.FeedForwardLength];
            matmul.Multiply(layer.Gate, First("ffn_norm" + sfx), gate, n, pool);
            matmul.Multiply(layer.Up, First("ffn_norm" + sfx), up, n, pool);
            Report(report, "gate", gate, First("ffn_gate" + sfx), n);
            Report(report, "up", up, First("ffn_up" + sfx), n);
            var gateT = (float[])First("ffn_gate" + sfx).Clone();
            SwiGlu.ApplyRows(gateT, First("ffn_up" + sfx), n, c.FeedForwardLength);
            Report(report, "swiglu", gateT, First("ffn_swiglu" + sfx), n);
            var down = new float[n * E];
            matmul.Multiply(layer.Down, First("ffn_swiglu" + sfx), down, n, pool);
            Report(report, "down", down, First("ffn_out" + sfx), n);
            var lOut = (float[])ffnIn.Clone();
            VectorOps.AddScaled(lOut, First("ffn_out" + sfx), c.ResidualScale);
            Report(report, "l_out", lOut, Last("l_out" + sfx), n);
        }
        output.WriteLine($"{arch} {type}\n{report}");
        Assert.DoesNotContain("differing", report.ToString().Replace("differing 0/", ""));
    }

    /// <summary>Max |Δ| over rows &lt; 64 and rows ≥ 64, and how many values differ at all.</summary>
    private static void Report(StringBuilder report, string op, float[] ours, float[] theirs, int rows)
    {
        int width = theirs.Length / rows;
        double early = 0, late = 0;
        int differing = 0;
        for (int i = 0; i < theirs.Length; i++)
        {
            double d = Math.Abs(ours[i] - theirs[i]);
            if (d != 0) differing++;
            if (i / width < 64) early = Math.Max(early, d); else late = Math.Max(late, d);
        }
        report.AppendLine($"{op,-12} max|Δ| rows<64 {early:E2}  rows≥64 {late:E2}  differing {differing}/{theirs.Length}");
    }
}
