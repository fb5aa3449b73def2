using Wallfacer.Models;

namespace Wallfacer.Bench;

/// <summary>
/// Bytes a generation step must read from memory: every weight byte once (a tied embedding is read whole, as
/// the output projection; an untied one only by a row, which we neglect) plus the keys and values of every
/// position so far. Both engines keep the KV cache in F16. This is the denominator of the bandwidth ceiling.
/// </summary>
internal sealed record ModelTraffic(long WeightBytes, long KvBytesPerPosition)
{
    public static ModelTraffic Measure(string path)
    {
        using var model = DecoderModel.Load(path);
        var file = model.File;
        long weights = file.Tensors.Sum(t => t.ByteSize);
        if (file.FindTensor(TensorNames.Output) != null && file.FindTensor(TensorNames.TokenEmbedding) is { } embedding)
            weights -= embedding.ByteSize;
        var config = model.Config;
        long kvPerPosition = (long)config.BlockCount * (config.KeyWidth + config.ValueWidth) * sizeof(ushort);
        return new ModelTraffic(weights, kvPerPosition);
    }

    /// <summary>Mean bytes per token while generating <paramref name="generated"/> tokens after <paramref name="promptLength"/>.</summary>
    public double BytesPerGeneratedToken(int promptLength, int generated) =>
        WeightBytes + KvBytesPerPosition * (promptLength + generated / 2.0);
}
