using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Wallfacer.Conformance.Reference;

/// <summary>
/// Records llama.cpp's intermediate tensors while it evaluates (its <c>cb_eval</c> scheduler callback): for
/// each computed tensor whose name passes the filter, its name, shape and values widened to float. Used to
/// find where, op by op, the engine and the reference first part ways.
/// </summary>
public sealed unsafe class TensorCapture : IDisposable
{
    // Offsets in struct ggml_tensor (ggml.h, 64-bit): type 0, ne 16, nb 48, op 80, data 248, name 256.
    private const int TypeOffset = 0, NeOffset = 16, NbOffset = 48, DataOffset = 248, NameOffset = 256, NameLength = 64;
    private const int GgmlF32 = 0, GgmlF16 = 1;

    private readonly Func<string, bool> _filter;
    private GCHandle _self;

    public TensorCapture(Func<string, bool> filter)
    {
        _filter = filter;
        _self = GCHandle.Alloc(this);
    }

    public sealed record Tensor(string Name, long[] Shape, float[] Values);

    /// <summary>Tensors in the order llama.cpp computed them (a name may repeat across graph nodes).</summary>
    public List<Tensor> Tensors { get; } = [];

    internal nint UserData => GCHandle.ToIntPtr(_self);

    internal static nint Callback => (nint)(delegate* unmanaged[Cdecl]<nint, byte, nint, byte>)&OnTensor;

    public Tensor Last(string name) => Tensors.Last(t => t.Name == name);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static byte OnTensor(nint tensor, byte ask, nint userData)
    {
        var self = (TensorCapture)GCHandle.FromIntPtr(userData).Target!;
        string name = ReadName(tensor);
        if (ask != 0)
            return self._filter(name) ? (byte)1 : (byte)0;
        if (self._filter(name))
            self.Tensors.Add(Copy(tensor, name));
        return 1;
    }

    private static string ReadName(nint tensor)
    {
        var bytes = new ReadOnlySpan<byte>((byte*)tensor + NameOffset, NameLength);
        int end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }

    private static Tensor Copy(nint tensor, string name)
    {
        int type = *(int*)((byte*)tensor + TypeOffset);
        var ne = new long[4];
        var nb = new long[4];
        for (int i = 0; i < 4; i++)
        {
            ne[i] = *(long*)((byte*)tensor + NeOffset + 8 * i);
            nb[i] = *(long*)((byte*)tensor + NbOffset + 8 * i);
        }
        byte* data = *(byte**)((byte*)tensor + DataOffset);
        if (type is not (GgmlF32 or GgmlF16) || data == null)
            return new Tensor(name + $" (type {type}, not captured)", ne, []);
        var values = new float[ne[0] * ne[1] * ne[2] * ne[3]];
        int k = 0;
        for (long i3 = 0; i3 < ne[3]; i3++)
            for (long i2 = 0; i2 < ne[2]; i2++)
                for (long i1 = 0; i1 < ne[1]; i1++)
                    for (long i0 = 0; i0 < ne[0]; i0++)
                    {
                        byte* p = data + i0 * nb[0] + i1 * nb[1] + i2 * nb[2] + i3 * nb[3];
                        values[k++] = type == GgmlF32 ? *(float*)p : (float)*(Half*)p;
                    }
        return new Tensor(name, ne, values);
    }

    public void Dispose()
    {
        if (_self.IsAllocated)
            _self.Free();
    }
}
