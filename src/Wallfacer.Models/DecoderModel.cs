using Wallfacer.Gguf;
using Wallfacer.Models.Weights;
using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Models;

/// <summary>
/// A loaded Llama-family model: the mapped GGUF file, its config and its bound weights. Immutable and
/// shared (design decision 7): any number of sessions may run over one instance at once, each with its
/// own <see cref="Cache.KvCache"/> and <see cref="ForwardState"/>.
/// </summary>
public sealed class DecoderModel : IDisposable
{
    private DecoderModel(GgufFile file, IArchitecture architecture, DecoderConfig config, ModelWeights weights)
    {
        File = file;
        Architecture = architecture;
        Config = config;
        Weights = weights;
    }

    public GgufFile File { get; }
    public IArchitecture Architecture { get; }
    public DecoderConfig Config { get; }
    public ModelWeights Weights { get; }

    /// <summary>
    /// Maps <paramref name="path"/> and binds the model it holds. Reads metadata only, and weights page in on use — or,
    /// with <paramref name="regroupWeights"/>, Q4_0 matrices are read once at load and regrouped for the interleaved
    /// kernel (and, where <see cref="Q5_0Sliced.PreferredForOneSequence"/>, Q5_0 matrices sliced and a Q8_0 output matrix
    /// grouped, <see cref="Q8_0Grouped"/>; <see cref="ModelWeights"/>;
    /// worth it for batched decoding, see <c>LanguageModel.Load</c>). Unset, the
    /// machine decides (<see cref="Q4_0Interleaved.PreferredForOneSequence"/>).
    /// </summary>
    public static DecoderModel Load(string path, bool? regroupWeights = null)
    {
        var file = GgufFile.Open(path);
        try
        {
            return FromFile(file, regroupWeights);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Binds the model in an already opened file; the model takes ownership of it.</summary>
    public static DecoderModel FromFile(GgufFile file, bool? regroupWeights = null)
    {
        var architecture = ArchitectureRegistry.Get(file.Metadata.GetString(GgufKeys.GeneralArchitecture));
        var config = architecture.ReadConfig(file);
        config.Validate();
        return new DecoderModel(file, architecture, config, ModelWeights.Bind(file, config, regroupWeights ?? Q4_0Interleaved.PreferredForOneSequence));
    }

    public void Dispose()
    {
        Weights.Dispose();
        File.Dispose();
    }
}
