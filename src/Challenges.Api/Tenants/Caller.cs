using System.Reflection;
using Challenges.Api.Tokens;

namespace Challenges.Api.Tenants;

/// <summary>
/// Who is calling, as authentication found it: the tenant, and for Bearer callers the client token. Endpoints take
/// it as a parameter; it binds from the authenticated request.
/// </summary>
public sealed record Caller(Tenant Tenant, ClientToken? Token)
{
    private static readonly object Key = new();

    public ClientToken RequiredToken => Token ?? throw new InvalidOperationException("This endpoint needs a Bearer token.");

    public static void Set(HttpContext context, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[Key] = caller;
    }

    public static Caller? Get(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(Key, out var value) ? value as Caller : null;
    }

    public static ValueTask<Caller?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ValueTask.FromResult<Caller?>(Get(context) ?? throw new InvalidOperationException("Caller used on an endpoint without authentication."));
}
