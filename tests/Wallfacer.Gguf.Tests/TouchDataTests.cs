using Wallfacer.Gguf;

namespace Wallfacer.Gguf.Tests;

public class TouchDataTests
{
    private static GgufFile BigFile(out string path)
    {
        var writer = new GgufWriter();
        writer.Add(GgufKeys.GeneralArchitecture, "llama");
        var bytes = new byte[3 << 20];
        new Random(1).NextBytes(bytes);
        writer.AddTensor("blob", Wallfacer.Numerics.Quants.GgmlType.F32, [bytes.Length / 4L], bytes);
        path = Path.Combine(Path.GetTempPath(), "wallfacer-tests", Guid.NewGuid().ToString("N") + ".gguf");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        writer.Write(path);
        return GgufFile.Open(path);
    }

    [Fact]
    public void Touching_the_data_reports_progress_to_the_end_and_leaves_the_views_intact()
    {
        using var file = BigFile(out string path);
        try
        {
            var reports = new List<double>();
            file.TouchData(threads: 2, progress: new SyncProgress(reports));
            Assert.Equal(1.0, reports.Max());
            Assert.Equal(3 << 20, file.GetTensorBytes(file.GetTensor("blob")).Length);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Touching_can_be_cancelled()
    {
        using var file = BigFile(out string path);
        try
        {
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() => file.TouchData(cancellationToken: cts.Token));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class SyncProgress(List<double> into) : IProgress<double>
    {
        public void Report(double value)
        {
            lock (into)
                into.Add(value);
        }
    }
}
