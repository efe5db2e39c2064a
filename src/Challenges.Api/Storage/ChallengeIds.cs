using System.Globalization;

namespace Challenges.Api.Storage;

/// <summary>
/// Challenge ids that name the hash slot their challenge lives in: a random UUID whose last four hex digits are the
/// slot (so 108 bits stay random). A challenge started for a user is placed in the user's slot, with the user's
/// action; its id alone then finds it, and the keys of both can be changed in one atomic command.
/// </summary>
public static class ChallengeIds
{
    /// <summary>A new id for a challenge in <paramref name="slot"/>.</summary>
    public static string New(int slot) =>
        string.Concat(Guid.NewGuid().ToString().AsSpan(0, 32), slot.ToString("x4", CultureInfo.InvariantCulture));

    /// <summary>A new id for a challenge in the slot of <paramref name="userTag"/>, or in a slot of its own when there is no user.</summary>
    public static string New(string? userTag) => New(userTag is null ? Random.Shared.Next(HashTags.Slots) : HashTags.SlotOf(userTag));

    /// <summary>
    /// The slot an id names. Any other text (an id this server never made) still maps to one slot, where nothing is
    /// found under it.
    /// </summary>
    public static int SlotOf(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.Length == 36 && int.TryParse(id.AsSpan(32), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var slot) &&
               slot < HashTags.Slots
            ? slot
            : HashTags.Crc16(System.Text.Encoding.UTF8.GetBytes(id)) % HashTags.Slots;
    }

    /// <summary>The tag, with its braces, of the slot an id names.</summary>
    public static string TagOf(string id) => HashTags.ForSlot(SlotOf(id));

    /// <summary>True when the challenge <paramref name="id"/> lives in the slot of <paramref name="userTag"/>.</summary>
    public static bool IsInSlotOf(string id, string userTag) => SlotOf(id) == HashTags.SlotOf(userTag);
}
