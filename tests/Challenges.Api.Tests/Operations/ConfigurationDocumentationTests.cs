using System.Reflection;
using Challenges.Api.Tenants;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Operations;

/// <summary>README's configuration tables name every setting the server binds, so an operator finds each one there.</summary>
public sealed class ConfigurationDocumentationTests
{
    private static readonly string Readme = File.ReadAllText(Repository.PathOf("README.md"));

    /// <summary>README's "Limits" section, where the per-tenant limits are listed by name.</summary>
    private static readonly string Limits = Section("### Limits");

    private static string Section(string heading)
    {
        var start = Readme.IndexOf(heading, StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException($"README has no '{heading}' section.");
        }
        var end = Readme.IndexOf("\n#", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? Readme[start..] : Readme[start..end];
    }

    /// <summary>Settings read outside an options class.</summary>
    private static readonly string[] Loose =
        ["PublicUrl", "Logging__Format", "OTEL_EXPORTER_OTLP_ENDPOINT", "HEALTHCHECK_PORT", "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT"];

    /// <summary>Every bindable leaf of every options class (a type with a <c>Section</c> constant), as environment variable keys.</summary>
    private static IEnumerable<(string Key, PropertyInfo Property)> Keys()
    {
        var sections = typeof(TenantsOptions).Assembly.GetTypes()
            .Select(t => (Type: t, Section: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(s => s.Section is not null);
        foreach (var (type, section) in sections)
        {
            // The tenant list binds as Tenants__N__….
            var (root, prefix) = type == typeof(TenantsOptions) ? (typeof(TenantOptions), "Tenants__N") : (type, section!);
            foreach (var key in Leaves(root, prefix))
            {
                yield return key;
            }
        }
    }

    private static IEnumerable<(string Key, PropertyInfo Property)> Leaves(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var key = $"{prefix}__{property.Name}";
            var kind = property.PropertyType;
            if (kind.IsClass && kind != typeof(string) && kind != typeof(Uri) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(kind))
            {
                foreach (var leaf in Leaves(kind, key))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return (key, property);
            }
        }
    }

    [Fact]
    public void Every_setting_is_in_the_readme()
    {
        var missing = Keys()
            // Per-tenant limits sit in a table of their own, by name.
            .Where(k => k.Property.DeclaringType == typeof(LimitOptions)
                ? !Limits.Contains($"`{k.Property.Name}`", StringComparison.Ordinal)
                : !Readme.Contains($"`{k.Key}", StringComparison.Ordinal))
            .Select(k => k.Key)
            .Concat(Loose.Where(key => !Readme.Contains($"`{key}", StringComparison.Ordinal)))
            .ToList();
        Assert.True(missing.Count == 0, "README does not document: " + string.Join(", ", missing));
    }
}
