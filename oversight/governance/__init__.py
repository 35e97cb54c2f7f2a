"""The Strategic Management Board's own governance: its meetings, members, lay advisers and their tenures."""
