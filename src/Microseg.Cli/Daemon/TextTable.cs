namespace Microseg.Cli.Daemon;

/// <summary>
/// A plain-text table: a header and rows, columns padded to their widest cell, numbers right-aligned.
/// No colour and no box drawing, so it reads the same in a terminal, a pipe and a log.
/// </summary>
/// <param name="headers">Column headings; a heading ending in '>' marks a right-aligned column (the '>' is not shown).</param>
internal sealed class TextTable(params string[] headers)
{
    // Each row's cells, one per column.
    private readonly List<string[]> _rows = [];

    public int Count => _rows.Count;

    public void Add(params string[] cells) => _rows.Add(cells);

    /// <summary>Writes the table, each line indented by <paramref name="indent"/>; nothing at all when it has no rows.</summary>
    public void Write(TextWriter output, string indent = "  ")
    {
        if (_rows.Count == 0)
            return;
        bool[] right = headers.Select(h => h.EndsWith('>')).ToArray();
        string[] titles = headers.Select(h => h.TrimEnd('>')).ToArray();
        int[] widths = titles.Select((t, i) => Math.Max(t.Length, _rows.Max(r => r[i].Length))).ToArray();
        WriteLine(output, indent, titles, widths, right);
        foreach (string[] row in _rows)
            WriteLine(output, indent, row, widths, right);
    }

    private static void WriteLine(TextWriter output, string indent, string[] cells, int[] widths, bool[] right)
    {
        var parts = cells.Select((cell, i) =>
            right[i] ? cell.PadLeft(widths[i]) : i == cells.Length - 1 ? cell : cell.PadRight(widths[i]));
        output.WriteLine(indent + string.Join("  ", parts));
    }
}
