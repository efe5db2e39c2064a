using System.Globalization;
using System.Text;

namespace Challenges.Api.Storage;

/// <summary>
/// The hash tags that decide where keys live: every key's tag is the part in braces, and Redis Cluster places a key by
/// the CRC16 of its tag (one of 16,384 slots). A user's data shares the user's tag; a challenge started for a user lives
/// in the user's slot under a short tag chosen to hash to that slot (<see cref="ForSlot"/>), so that its id can name the
/// slot (<see cref="ChallengeIds"/>) and a request can read and write the challenge with the user's keys in one command.
/// Ids are escaped, so <c>:</c>, <c>{</c> and <c>}</c> in them cannot collide or break a tag.
/// </summary>
public static class HashTags
{
    public const int Slots = 16384;

    private static readonly Lazy<int[]> SlotTagNumbers = new(FindSlotTags);

    /// <summary>An id as it appears in a key.</summary>
    public static string Escape(string value) => Uri.EscapeDataString(value);

    public static string Unescape(string value) => Uri.UnescapeDataString(value);

    /// <summary>The tag of one user of one tenant: <c>{tenant:user}</c>.</summary>
    public static string User(string tenantId, string userId) => $"{{{Escape(tenantId)}:{Escape(userId)}}}";

    /// <summary>A tag of its own for one id of one tenant: <c>{tenant:id}</c>.</summary>
    public static string Own(string tenantId, string id) => $"{{{Escape(tenantId)}:{id}}}";

    /// <summary>The slot of a tag written with its braces (as <see cref="User"/> returns it).</summary>
    public static int SlotOf(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return Crc16(Encoding.UTF8.GetBytes(tag.Trim('{', '}'))) % Slots;
    }

    /// <summary>A short tag, with its braces, that Redis places in <paramref name="slot"/>.</summary>
    public static string ForSlot(int slot) =>
        "{" + SlotTagNumbers.Value[slot].ToString("x", CultureInfo.InvariantCulture) + "}";

    /// <summary>CRC16-CCITT (XMODEM), the checksum Redis Cluster places keys by.</summary>
    public static int Crc16(ReadOnlySpan<byte> data)
    {
        var crc = 0;
        foreach (var b in data)
        {
            crc ^= b << 8;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
        }
        return crc & 0xFFFF;
    }

    /// <summary>For each slot, the smallest number whose hex text hashes there (about 170,000 checksums, once).</summary>
    private static int[] FindSlotTags()
    {
        var numbers = new int[Slots];
        Array.Fill(numbers, -1);
        var left = Slots;
        Span<byte> text = stackalloc byte[8];
        for (var n = 0; left > 0; n++)
        {
            n.TryFormat(text, out var length, "x", CultureInfo.InvariantCulture);
            var slot = Crc16(text[..length]) % Slots;
            if (numbers[slot] < 0)
            {
                numbers[slot] = n;
                left--;
            }
        }
        return numbers;
    }
}
