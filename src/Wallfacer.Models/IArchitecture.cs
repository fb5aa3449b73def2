using Wallfacer.Gguf;

namespace Wallfacer.Models;

/// <summary>
/// One model architecture, found by its GGUF name (<c>general.architecture</c>). An architecture only
/// maps its metadata into a <see cref="DecoderConfig"/>; the dataflow is shared (design decision 6).
/// </summary>
public interface IArchitecture
{
    /// <summary>The name GGUF files use, e.g. <c>llama</c>.</summary>
    string Name { get; }

    /// <summary>Reads the decoder shape and knobs from the file's metadata.</summary>
    DecoderConfig ReadConfig(GgufFile file);
}
