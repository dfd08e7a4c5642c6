namespace Microseg.Bpf;

internal static partial class Interop
{
    /// <summary>
    /// <paramref name="text"/> as NUL-terminated UTF-8, for Tmds.LibC's <c>byte*</c> path and name
    /// parameters (pin it with <c>fixed</c>). Allocates: for set-up and error paths, not per event.
    /// </summary>
    internal static byte[] Utf8z(string text)
    {
        byte[] bytes = new byte[global::System.Text.Encoding.UTF8.GetByteCount(text) + 1];
        global::System.Text.Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
