using Wallfacer.Gguf;
using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Models.Weights;

/// <summary>
/// All tensors of a Llama-family decoder, bound by name and checked against the config's shapes. Weight
/// matrices stay in the memory-mapped file (design decision 2) — unless the caller asks for regrouped weights: then
/// Q4_0 matrices (on machines with the interleaved kernel, <see cref="Q4_0Interleaved"/>) are regrouped and Q5_0 ones
/// (where the sliced kernels are the default, <see cref="Q5_0Sliced"/>) sliced and a Q8_0 output matrix (likewise,
/// <see cref="Q8_0Grouped"/>) grouped four rows at a time, once at load into native memory of the same size (Q8_0:
/// up to three rows more), read with file reads so their mapped pages never become resident (the model is
/// resident once). Norms, biases and RoPE factors are small and are converted to float arrays once.
/// </summary>
public sealed unsafe class ModelWeights : IDisposable
{
    private readonly List<IDisposable> _regrouped = []; // Q4_0Interleaved, Q5_0Sliced and Q8_0Grouped copies

    private readonly bool _regroup;

    private ModelWeights(GgufFile file, DecoderConfig config, bool regroup)
    {
        File = file;
        Config = config;
        _regroup = regroup;
    }

    private GgufFile File { get; }
    private DecoderConfig Config { get; }

    public WeightMatrix TokenEmbedding { get; private set; }   // (vocab, embedding)
    public float[] OutputNorm { get; private set; } = [];      // (embedding)
    public WeightMatrix Output { get; private set; }           // (vocab, embedding); the embedding itself when tied
    public bool OutputIsTied { get; private set; }
    public float[]? RopeFrequencyFactors { get; private set; } // (rotaryDims/2): llama3 rope_freqs
    public float[]? RopeFactorsLong { get; private set; }      // (rotaryDims/2): LongRoPE, beyond the original context
    public float[]? RopeFactorsShort { get; private set; }     // (rotaryDims/2): LongRoPE, within it
    public LayerWeights[] Layers { get; private set; } = [];

    /// <summary>
    /// Binds every tensor the config needs; throws naming the tensor that is missing or misshapen. With
    /// <paramref name="regroupWeights"/>, Q4_0 matrices are regrouped (see the class summary).
    /// </summary>
    public static ModelWeights Bind(GgufFile file, DecoderConfig c, bool regroupWeights = false)
    {
        var w = new ModelWeights(file, c, regroupWeights);
        try
        {
            w.BindAll();
            return w;
        }
        catch
        {
            w.Dispose(); // the regrouped copies made so far
            throw;
        }
    }

    private void BindAll()
    {
        var (file, c, w) = (File, Config, this);
        bool tied = file.FindTensor(TensorNames.Output) is null;
        int half = c.RotaryDims / 2;
        w.TokenEmbedding = w.Matrix(TensorNames.TokenEmbedding, c.VocabSize, c.EmbeddingLength, keepRows: true); // looked up by row
        w.OutputNorm = w.Vector(TensorNames.OutputNorm, c.EmbeddingLength);
        // Only the output matrix is grouped (Q8_0Grouped): prompts read it for their last token alone.
        w.Output = w.Matrix(tied ? TensorNames.TokenEmbedding : TensorNames.Output, c.VocabSize, c.EmbeddingLength, groupQ8_0: true);
        w.OutputIsTied = tied;
        w.RopeFrequencyFactors = w.OptionalVector(TensorNames.RopeFrequencies, half);
        w.RopeFactorsLong = w.OptionalVector(TensorNames.RopeFactorsLong, half);
        w.RopeFactorsShort = w.OptionalVector(TensorNames.RopeFactorsShort, half);
        w.Layers = Enumerable.Range(0, c.BlockCount).Select(w.Layer).ToArray();
    }

    /// <summary>
    /// The per-pair RoPE divisors for a session of <paramref name="contextLength"/> tokens: LongRoPE's long set
    /// only beyond the original context (as llama.cpp's get_rope_factors), else its short set, else llama3's
    /// rope_freqs, else none.
    /// </summary>
    public float[]? RopeFactorsFor(int contextLength)
    {
        if (RopeFactorsLong is not null && contextLength > Config.OriginalContextLength)
            return RopeFactorsLong;
        return RopeFactorsShort ?? RopeFrequencyFactors;
    }

    private LayerWeights Layer(int i)
    {
        var c = Config;
        return new LayerWeights
        {
            AttentionNorm = Vector(TensorNames.AttentionNorm(i), c.EmbeddingLength),
            Query = Matrix(TensorNames.Query(i), c.QueryWidth, c.EmbeddingLength),
            Key = Matrix(TensorNames.Key(i), c.KeyWidth, c.EmbeddingLength),
            Value = Matrix(TensorNames.Value(i), c.ValueWidth, c.EmbeddingLength),
            AttentionOutput = Matrix(TensorNames.AttentionOutput(i), c.EmbeddingLength, c.HeadCount * c.ValueHeadDim),
            QueryBias = c.HasQkvBias ? Vector(TensorNames.QueryBias(i), c.QueryWidth) : null,
            KeyBias = c.HasQkvBias ? Vector(TensorNames.KeyBias(i), c.KeyWidth) : null,
            ValueBias = c.HasQkvBias ? Vector(TensorNames.ValueBias(i), c.ValueWidth) : null,
            QueryNorm = c.HasQkNorm ? Vector(TensorNames.QueryNorm(i), c.KeyHeadDim) : null,
            KeyNorm = c.HasQkNorm ? Vector(TensorNames.KeyNorm(i), c.KeyHeadDim) : null,
            FeedForwardNorm = Vector(TensorNames.FeedForwardNorm(i), c.EmbeddingLength),
            Gate = Matrix(TensorNames.Gate(i), c.FeedForwardLength, c.EmbeddingLength),
            Up = Matrix(TensorNames.Up(i), c.FeedForwardLength, c.EmbeddingLength),
            Down = Matrix(TensorNames.Down(i), c.EmbeddingLength, c.FeedForwardLength),
        };
    }

    /// <summary>
    /// The tensor as a matrix: a view into the file, or its interleaved copy (unless <paramref name="keepRows"/>); Q8_0
    /// grouped only with <paramref name="groupQ8_0"/>.
    /// </summary>
    private WeightMatrix Matrix(string name, int rows, int columns, bool keepRows = false, bool groupQ8_0 = false)
    {
        var t = File.GetTensor(name);
        if (t.Dimensions.Length != 2 || t.Dimensions[0] != columns || t.Dimensions[1] != rows)
            throw new InvalidDataException(
                $"Tensor '{name}' has shape [{string.Join(", ", t.Dimensions)}]; expected [{columns}, {rows}] (columns, rows).");
        if (!VecDot.Supports(t.Type))
            throw new NotSupportedException($"Tensor '{name}' has type {t.Type}, which Wallfacer cannot multiply.");
        var matrix = new WeightMatrix(t.Type, rows, columns, File.GetTensorPointer(t));
        if (keepRows || !_regroup)
            return matrix;
        // Read with file reads, not through the mapping, so the file's pages do not become resident next to the copy.
        long rowBytes = matrix.RowBytes;
        RowReader read = (first, count, destination) => File.ReadTensorData(t, first * rowBytes, destination);
        if (t.Type == GgmlType.Q4_0 && Q4_0Interleaved.IsSupported)
        {
            var copy = new Q4_0Interleaved.Matrix(rows, columns, read);
            _regrouped.Add(copy);
            return copy.Weights;
        }
        if (t.Type == GgmlType.Q5_0 && Q5_0Sliced.PreferredForOneSequence && Q5_0Sliced.Fits(columns))
        {
            var copy = new Q5_0Sliced.Matrix(rows, columns, read);
            _regrouped.Add(copy);
            return copy.Weights;
        }
        if (t.Type == GgmlType.Q8_0 && groupQ8_0 && Q8_0Grouped.PreferredForOneSequence && Q8_0Grouped.Fits(columns))
        {
            var copy = new Q8_0Grouped.Matrix(rows, columns, read);
            _regrouped.Add(copy);
            return copy.Weights;
        }
        return matrix;
    }

    /// <summary>Frees the regrouped copies; the matrices that point into them must not be used afterwards.</summary>
    public void Dispose()
    {
        foreach (var m in _regrouped)
            m.Dispose();
        _regrouped.Clear();
    }

    private float[] Vector(string name, int length) =>
        OptionalVector(name, length) ?? throw new InvalidDataException($"Tensor '{name}' is missing from {File.FilePath ?? "the model"}.");

    private float[]? OptionalVector(string name, int length)
    {
        if (File.FindTensor(name) is not { } t)
            return null;
        if (t.ElementCount != length || t.Dimensions.Length != 1)
            throw new InvalidDataException(
                $"Tensor '{name}' has shape [{string.Join(", ", t.Dimensions)}]; expected [{length}].");
        var values = new float[length];
        Dequantizer.DequantizeRow(t.Type, File.GetTensorBytes(t), values);
        return values;
    }
}
