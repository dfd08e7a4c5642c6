using System.Text;

namespace Microseg.Policy.Loading;

/// <summary>
/// Reads a policy file as UTF-8 text, refusing with one sentence what cannot be a policy file:
/// missing, a directory, unreadable, too big, or not UTF-8 text.
/// </summary>
public static class PolicyFileReader
{
    /// <summary>
    /// Largest policy file read, 16 MiB: a policy for thousands of workloads is a few MiB, and the
    /// limit keeps a wrong path (a disk image, a log) from being read into memory whole.
    /// </summary>
    public const long MaxFileBytes = 16L * 1024 * 1024;

    // Throws on invalid bytes instead of replacing them, so binary garbage is recognised.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads <paramref name="path"/>; on failure returns false and one sentence saying why.</summary>
    public static bool TryRead(string path, out string text, out string failure)
    {
        text = "";
        failure = "";
        try
        {
            if (Directory.Exists(path))
            {
                failure = $"{path} is a directory, not a policy file.";
                return false;
            }

            var info = new FileInfo(path);
            if (!info.Exists)
            {
                failure = $"{path} does not exist.";
                return false;
            }

            if (info.Length > MaxFileBytes)
            {
                failure = $"{path} is {info.Length / (1024.0 * 1024.0):0.0} MiB, larger than the {MaxFileBytes / (1024 * 1024)} MiB a policy file may be.";
                return false;
            }

            byte[] bytes = File.ReadAllBytes(path);
            if (bytes.Length > MaxFileBytes)
            {
                // The file grew between the size check and the read.
                failure = $"{path} is larger than the {MaxFileBytes / (1024 * 1024)} MiB a policy file may be.";
                return false;
            }

            int start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
            if (bytes.AsSpan(start).IndexOf((byte)0) >= 0)
            {
                failure = $"{path} is not a text file (it contains NUL bytes).";
                return false;
            }

            text = StrictUtf8.GetString(bytes, start, bytes.Length - start);
            return true;
        }
        catch (DecoderFallbackException)
        {
            failure = $"{path} is not UTF-8 text.";
        }
        catch (UnauthorizedAccessException)
        {
            failure = $"{path} cannot be read: permission denied.";
        }
        catch (IOException e)
        {
            failure = $"{path} cannot be read: {e.Message}";
        }

        return false;
    }
}
