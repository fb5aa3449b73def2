namespace Wallfacer.Conformance.Reference;

/// <summary>
/// The xunit collection for tests that call llama.cpp: its contexts are not thread-safe, so reference
/// tests share this collection and run one at a time (<c>[Collection(LlamaCollection.Name)]</c>).
/// </summary>
[CollectionDefinition(Name)]
public sealed class LlamaCollection
{
    public const string Name = "llama.cpp";
}
