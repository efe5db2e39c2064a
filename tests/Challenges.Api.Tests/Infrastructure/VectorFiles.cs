namespace Challenges.Api.Tests;

/// <summary>Finds the independent test vectors in ../shared/vectors beside the repository.</summary>
public static class VectorFiles
{
    public static string Path(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { System.IO.Path.Combine(dir.FullName, "shared", "vectors", name), System.IO.Path.Combine(dir.FullName, "tests", "vectors", name) })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        throw new FileNotFoundException($"Test vector {name} not found in shared/vectors or tests/vectors above {AppContext.BaseDirectory}.");
    }
}
