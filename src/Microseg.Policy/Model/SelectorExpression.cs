using Microseg.Policy.Diagnostics;

namespace Microseg.Policy.Model;

/// <summary>One entry of <c>matchExpressions</c>.</summary>
/// <param name="Key">Label key.</param>
/// <param name="Operator">The test.</param>
/// <param name="Values">Values for In / NotIn; empty for Exists.</param>
/// <param name="Position">Where the entry starts.</param>
public sealed record SelectorExpression(string Key, SelectorOperator Operator, IReadOnlyList<string> Values, SourcePosition Position);
