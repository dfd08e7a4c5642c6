using Microseg.Datapath.Loading;
using Microseg.Policy.Model;

namespace Microseg.Policy.Compilation;

/// <summary>
/// What a compile keeps so that the next one, of a document that differs only in some rules,
/// can compile just the local identities those rules reach. Never changed once made: a later
/// compile copies what it changes.
/// </summary>
/// <param name="Document">The document compiled.</param>
/// <param name="Capacities">The capacities it was checked against.</param>
/// <param name="Identities">Kernel numbers and the remote table; they depend on no rule.</param>
/// <param name="Index">The selector index over <see cref="IdentityTable.Selectable"/>.</param>
/// <param name="Locals">Selectable indexes of the identities with an endpoint here.</param>
/// <param name="RulesByLocal">Per local identity, the rules (indexes, ascending) whose 'local' selects it.</param>
internal sealed record CompileState(
    PolicyDocument Document,
    DatapathCapacities Capacities,
    IdentityTable Identities,
    SelectorIndex Index,
    SortedSet<int> Locals,
    Dictionary<int, List<int>> RulesByLocal);
