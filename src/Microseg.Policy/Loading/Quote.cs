using System.Text;

namespace Microseg.Policy.Loading;

/// <summary>
/// A user's text as an error message quotes it: on one line, and short. A file that is no policy
/// (/etc/passwd reads as one long scalar) must give one short error, not itself pasted back.
/// </summary>
internal static class Quote
{
    /// <summary>Characters quoted whole; a longer text is cut to this, and says how long it was.</summary>
    public const int MaxLength = 60;

    /// <summary><paramref name="text"/> with line breaks and other control characters escaped, cut past <see cref="MaxLength"/>.</summary>
    public static string Short(string text)
    {
        bool fits = text.Length <= MaxLength;
        if (fits && !text.AsSpan().ContainsAnyInRange('\0', '\x1f'))
        {
            return text;
        }

        var shown = new StringBuilder(MaxLength + 32);
        foreach (char c in fits ? text : text[..MaxLength])
        {
            _ = c switch
            {
                '\n' => shown.Append("\\n"),
                '\r' => shown.Append("\\r"),
                '\t' => shown.Append("\\t"),
                < ' ' => shown.Append($"\\x{(int)c:x2}"),
                _ => shown.Append(c),
            };
        }

        return fits ? shown.ToString() : shown.Append($"… ({text.Length} characters)").ToString();
    }
}
