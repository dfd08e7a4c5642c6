using System.Text;
using Microseg.Policy.Loading.Yaml;

namespace Microseg.Policy.Tests.Loading;

/// <summary>A parsed tree as one line of text, every node with its line:column:index, so two trees compare (and differ) readably.</summary>
internal static class SourceTreeText
{
    public static string Render(SourceNode node)
    {
        var text = new StringBuilder();
        Append(node, text);
        return text.ToString();
    }

    public static string Render(ParsedYaml parsed) => parsed.Failure is { } failure
        ? $"error {failure.Line}:{failure.Column} {failure.Message}"
        : string.Join(" --- ", parsed.Documents.Select(Render));

    private static void Append(SourceNode node, StringBuilder text)
    {
        text.Append(node.Line).Append(':').Append(node.Column).Append(':').Append(node.Index);
        switch (node.Kind)
        {
            case SourceNodeKind.Scalar:
                text.Append(node.IsPlain ? " plain " : " quoted ").Append('<').Append(node.Value).Append('>');
                break;
            case SourceNodeKind.Sequence:
                text.Append(" [");
                foreach (SourceNode item in node.Items)
                {
                    Append(item, text);
                    text.Append(", ");
                }

                text.Append(']');
                break;
            case SourceNodeKind.Mapping:
                text.Append(" {");
                foreach ((SourceNode key, SourceNode value) in node.Entries)
                {
                    Append(key, text);
                    text.Append(" = ");
                    Append(value, text);
                    text.Append(", ");
                }

                text.Append('}');
                break;
        }
    }
}
