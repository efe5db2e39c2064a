using System.Text.RegularExpressions;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Architecture;

/// <summary>
/// The server's folders (one namespace each) depend on each other without a cycle, as docs/architecture.md draws them:
/// each may use only folders below it. A folder's dependencies are read from its files' <c>using</c> directives and
/// from names qualified with another folder (<c>Challenges.Api.Push.X</c> or <c>Push.X</c>).
/// </summary>
public sealed partial class FolderDependencyTests
{
    private static readonly string Source = Repository.PathOf("src", "Challenges.Api");

    [GeneratedRegex(@"^using (?:static )?Challenges\.Api\.(?<folder>\w+)", RegexOptions.Multiline)]
    private static partial Regex Using();

    private static IReadOnlyList<string> Folders() =>
        [.. Directory.GetDirectories(Source).Select(Path.GetFileName).OfType<string>()
            .Where(d => d is not ("bin" or "obj" or "Properties") && Directory.EnumerateFiles(Path.Combine(Source, d), "*.cs", SearchOption.AllDirectories).Any())
            .Order(StringComparer.Ordinal)];

    /// <summary>Every folder's dependencies on the other folders, with a file and a line that shows each.</summary>
    private static Dictionary<string, Dictionary<string, string>> Dependencies()
    {
        var folders = Folders();
        var qualified = new Regex($@"(?<![\w.])(?:Challenges\.Api\.)?(?<folder>{string.Join('|', folders)})\.[A-Z]\w*");
        var graph = folders.ToDictionary(f => f, _ => new Dictionary<string, string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Source, folder), "*.cs", SearchOption.AllDirectories))
            {
                var text = File.ReadAllText(file);
                foreach (var match in Using().Matches(text).Concat(qualified.Matches(text)))
                {
                    var other = match.Groups["folder"].Value;
                    if (other != folder && graph.ContainsKey(other))
                    {
                        graph[folder].TryAdd(other, $"{Path.GetRelativePath(Source, file)}: {match.Value}");
                    }
                }
            }
        }
        return graph;
    }

    [Fact]
    public void No_folder_depends_on_itself_through_others()
    {
        var graph = Dependencies();
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();

        string? Cycle(string folder)
        {
            if (path.Contains(folder))
            {
                var loop = path.SkipWhile(f => f != folder).Append(folder).ToList();
                return string.Join(" -> ", loop.Zip(loop.Skip(1), (a, b) => $"{a} ({graph[a][b]})")) + $" -> {folder}";
            }
            if (!done.Add(folder))
            {
                return null;
            }
            path.Add(folder);
            var found = graph[folder].Keys.Select(Cycle).FirstOrDefault(c => c is not null);
            path.RemoveAt(path.Count - 1);
            return found;
        }

        Assert.Null(graph.Keys.Select(Cycle).FirstOrDefault(c => c is not null));
    }

    [Fact]
    public void The_check_sees_the_server_folders_and_their_uses()
    {
        var graph = Dependencies();
        Assert.Contains("Verification", graph.Keys);
        Assert.Contains("Actions", graph["Verification"].Keys);
        Assert.Contains("Users", graph["Actions"].Keys);
        Assert.Empty(graph["Tokens"]);
    }
}
