"""Pure feed builders: feed items in, the bytes of RSS 2.0, Atom 1.0, JSON Feed 1.1 and iCalendar out."""
