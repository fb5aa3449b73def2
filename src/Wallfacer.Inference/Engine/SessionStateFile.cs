using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Wallfacer.Inference.Engine;

/// <summary>
/// Saves and restores a session's tokens and KV cache, so a long conversation resumes without evaluating its
/// prompt again. Layout (little-endian): magic "WFKV", version, a model fingerprint, the token count, the
/// tokens, then per layer the keys and values of those positions as IEEE halves. A state only loads into a
/// session over the same model shape; everything read is checked against the session before use.
/// </summary>
internal static class SessionStateFile
{
    private static ReadOnlySpan<byte> Magic => "WFKV"u8;
    private const int Version = 1;

    public static void Save(InferenceSession session, Stream stream)
    {
        var cache = session.Cache;
        int count = session.Tokens.Count;
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write(Fingerprint(session));
        writer.Write(count);
        foreach (int t in session.Tokens)
            writer.Write(t);
        for (int l = 0; l < cache.LayerCount; l++)
        {
            writer.Write(MemoryMarshal.AsBytes(cache.Keys(l, count)));
            writer.Write(MemoryMarshal.AsBytes(cache.Values(l, count)));
        }
    }

    /// <summary>Replaces the session's state with the saved one; on any error the session is left empty.</summary>
    public static int[] Load(InferenceSession session, Stream stream, string source)
    {
        var cache = session.Cache;
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        Span<byte> magic = stackalloc byte[4];
        ReadExactly(reader, magic, source, "magic");
        if (!magic.SequenceEqual(Magic))
            throw Bad(source, 0, "not a Wallfacer session state (wrong magic)");
        int version = ReadInt(reader, source, "version");
        if (version != Version)
            throw Bad(source, 4, $"unsupported session state version {version} (this build reads {Version})");
        string fingerprint = reader.ReadString();
        if (fingerprint != Fingerprint(session))
            throw Bad(source, 8, $"saved for a different model ({fingerprint}); this session runs {Fingerprint(session)}");
        long countOffset = stream.CanSeek ? stream.Position : -1;
        int count = ReadInt(reader, source, "token count");
        if (count < 0 || count > cache.Capacity)
            throw Bad(source, countOffset, $"token count {count} does not fit this session's context of {cache.Capacity}");

        var tokens = new int[count];
        var bytes = MemoryMarshal.AsBytes(tokens.AsSpan());
        ReadExactly(reader, bytes, source, "tokens");
        if (!BitConverter.IsLittleEndian)
            BinaryPrimitives.ReverseEndianness(tokens, tokens);
        foreach (int t in tokens)
            if ((uint)t >= (uint)session.VocabSize)
                throw Bad(source, countOffset, $"token id {t} is outside the vocabulary of {session.VocabSize}");

        session.Reset();
        var keys = new ushort[count * cache.KeyWidth];
        var values = new ushort[count * cache.ValueWidth];
        for (int l = 0; l < cache.LayerCount; l++)
        {
            ReadExactly(reader, MemoryMarshal.AsBytes(keys.AsSpan()), source, $"layer {l} keys");
            ReadExactly(reader, MemoryMarshal.AsBytes(values.AsSpan()), source, $"layer {l} values");
            cache.Import(l, keys, values, count);
        }
        return tokens;
    }

    /// <summary>What must match for saved keys and values to mean the same thing in another process.</summary>
    private static string Fingerprint(InferenceSession session)
    {
        var c = session.Model.Config;
        var file = session.Model.Decoder.File;
        return $"{c.Architecture} layers={c.BlockCount} kv={c.KeyWidth}/{c.ValueWidth} vocab={c.VocabSize} " +
               $"embd={c.EmbeddingLength} tensors={file.Tensors.Count} bytes={file.FileLength}";
    }

    private static int ReadInt(BinaryReader reader, string source, string what)
    {
        Span<byte> b = stackalloc byte[4];
        ReadExactly(reader, b, source, what);
        return BinaryPrimitives.ReadInt32LittleEndian(b);
    }

    private static void ReadExactly(BinaryReader reader, Span<byte> into, string source, string what)
    {
        long offset = reader.BaseStream.CanSeek ? reader.BaseStream.Position : -1;
        if (reader.BaseStream.ReadAtLeast(into, into.Length, throwOnEndOfStream: false) != into.Length)
            throw Bad(source, offset, $"truncated while reading {what}");
    }

    private static InvalidDataException Bad(string source, long offset, string what) =>
        new(offset >= 0 ? $"{source}: at offset {offset}: {what}." : $"{source}: {what}.");
}
