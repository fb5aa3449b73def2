using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Wallfacer.TestSupport;

namespace Wallfacer.Conformance.Reference;

/// <summary>
/// Finds and initialises llama.cpp's prebuilt CPU libraries (the conformance reference, see
/// docs/conformance.md): <c>WALLFACER_LLAMA_DIR</c> if set, else the npm package that
/// scripts/install-reference.sh puts under <c>.reference/</c>. Initialisation happens once per process.
/// </summary>
public static class LlamaLibrary
{
    /// <summary>The library this harness speaks to; its ABI is pinned by the struct declarations.</summary>
    public const string LlamaFileName = "libllama.v0.5.0.so";

    private const string GgmlFileName = "libggml.v0.5.0.so";
    private const string GgmlBaseFileName = "libggml-base.so";
    private const string PackageBinDir = ".reference/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64";

    private static readonly Lazy<string?> DirectoryLazy = new(FindDirectory);
    private static readonly Lock InitLock = new();
    private static bool initialized;

    /// <summary>The folder holding <see cref="LlamaFileName"/>, or null when it is not installed.</summary>
    public static string? Directory => DirectoryLazy.Value;

    /// <summary>True when the reference libraries are present on this machine.</summary>
    public static bool IsAvailable => Directory != null;

    /// <summary>Why reference tests cannot run, and how to fix it.</summary>
    public static string MissingMessage =>
        $"llama.cpp reference libraries ({LlamaFileName}) not found in {ExpectedLocation()}. " +
        "Run scripts/install-reference.sh (or set WALLFACER_LLAMA_DIR to their folder).";

    /// <summary>
    /// Loads the libraries, silences llama.cpp's logging (unless <c>WALLFACER_LLAMA_LOG=1</c>), loads the
    /// best CPU backend variant and calls <c>llama_backend_init</c>. Idempotent and thread-safe.
    /// </summary>
    /// <exception cref="InvalidOperationException">The libraries are not installed (<see cref="MissingMessage"/>).</exception>
    public static void EnsureInitialized()
    {
        lock (InitLock)
        {
            if (initialized)
                return;
            string dir = Directory ?? throw new InvalidOperationException(MissingMessage);
            // Dependencies first by full path; libllama's RUNPATH ($ORIGIN) would find them too.
            NativeLibrary.Load(Path.Combine(dir, GgmlBaseFileName));
            nint ggml = NativeLibrary.Load(Path.Combine(dir, GgmlFileName));
            nint llama = NativeLibrary.Load(Path.Combine(dir, LlamaFileName));
            LlamaNative.Bind(llama, ggml);
            InitializeBackends(dir);
            initialized = true;
        }
    }

    private static unsafe void InitializeBackends(string dir)
    {
        // Before loading backends, so that their registration chatter is silenced too.
        if (Environment.GetEnvironmentVariable("WALLFACER_LLAMA_LOG") != "1")
            LlamaNative.LogSet((nint)(delegate* unmanaged[Cdecl]<int, byte*, void*, void>)&IgnoreLog, null);
        byte[] path = Encoding.UTF8.GetBytes(dir + "\0");
        fixed (byte* p = path)
            LlamaNative.BackendLoadAllFromPath(p);
        LlamaNative.BackendInit();
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void IgnoreLog(int level, byte* text, void* userData)
    {
    }

    private static string? FindDirectory()
    {
        string dir = ExpectedLocation();
        return File.Exists(Path.Combine(dir, LlamaFileName)) ? Path.GetFullPath(dir) : null;
    }

    private static string ExpectedLocation()
    {
        if (Environment.GetEnvironmentVariable("WALLFACER_LLAMA_DIR") is { Length: > 0 } env)
            return env;
        try
        {
            return Path.Combine(TestPaths.RepoRoot, PackageBinDir);
        }
        catch (InvalidOperationException)
        {
            return Path.Combine(AppContext.BaseDirectory, PackageBinDir); // outside a checkout: nothing there
        }
    }
}
