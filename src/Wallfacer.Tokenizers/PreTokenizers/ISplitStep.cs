namespace Wallfacer.Tokenizers.PreTokenizers;

/// <summary>
/// One regex of a pre-tokenizer: refines a partition of the codepoints into chunks. Chunks are given
/// and returned as lengths, in order, covering the whole text (llama.cpp's "offsets").
/// A step never looks across a chunk boundary.
/// </summary>
internal interface ISplitStep
{
    void Split(ReadOnlySpan<int> codepoints, List<int> chunkLengths, List<int> result);
}
