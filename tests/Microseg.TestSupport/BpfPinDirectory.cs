using Microseg.Bpf;

namespace Microseg.TestSupport;

/// <summary>
/// A unique directory on bpffs (/sys/fs/bpf/microseg-test-&lt;pid&gt;-&lt;n&gt;), mounting
/// bpffs first if needed; Dispose unpins everything under it and removes it.
/// </summary>
public sealed class BpfPinDirectory : IDisposable
{
    private static int s_counter;

    /// <summary>Creates the directory.</summary>
    public BpfPinDirectory()
    {
        BpfFs.Mount(BpfFs.DefaultPath);
        Path = System.IO.Path.Combine(BpfFs.DefaultPath, $"microseg-test-{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>The directory's absolute path.</summary>
    public string Path { get; }

    /// <summary>A path inside the directory.</summary>
    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Removes every pin under the directory and the directory itself; never throws.</summary>
    public void Dispose()
    {
        try
        {
            // bpffs pins are unlinked like files; directories must be empty to remove.
            if (Directory.Exists(Path))
                Directory.Delete(Path, recursive: true);
        }
        catch (Exception exception)
        {
            Console.Error.WriteLine($"warning: could not remove {Path}: {exception.Message}");
        }
    }
}
