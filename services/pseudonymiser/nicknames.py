"""Given-name equivalences: a formal name and its common short forms.

A short form may belong to several formal names (Sam: Samantha and Samuel), so two
names are equivalent when they share a group, not when they map to one canonical name.
"""

from __future__ import annotations

import functools

GROUPS: tuple[tuple[str, ...], ...] = (
    ("ROBERT", "BOB", "BOBBY", "ROB", "ROBBIE", "BERT"),
    ("WILLIAM", "BILL", "BILLY", "WILL", "WILLIE", "LIAM"),
    ("ELIZABETH", "LIZ", "LIZZIE", "BETH", "BETTY", "ELIZA", "LIBBY"),
    ("KATHERINE", "KATE", "KATIE", "KATHY", "KAT", "KITTY"),
    ("CATHERINE", "KATE", "KATIE", "CATH", "CATHY", "CAT"),
    ("KATHRYN", "KATE", "KATIE", "KATHY"),
    ("JAMES", "JIM", "JIMMY", "JAMIE"),
    ("THOMAS", "TOM", "TOMMY", "TOMOS"),
    ("MICHAEL", "MIKE", "MICK", "MICKY", "MIKEY"),
    ("DAVID", "DAVE", "DAVEY", "DAI"),
    ("DAFYDD", "DAI", "DEI"),
    ("CHRISTOPHER", "CHRIS", "KIT"),
    ("CHRISTINE", "CHRIS", "CHRISSIE", "TINA"),
    ("SAMANTHA", "SAM", "SAMMY"),
    ("SAMUEL", "SAM", "SAMMY"),
    ("JOHN", "JACK", "JOHNNY", "JON"),
    ("JONATHAN", "JON", "JONNY"),
    ("HENRY", "HARRY", "HAL", "HANK"),
    ("HAROLD", "HARRY", "HAL"),
    ("REBECCA", "BECKY", "BECCA", "BEX"),
    ("JENNIFER", "JENNY", "JEN", "JENNI"),
    ("MARGARET", "MAGGIE", "MEG", "PEGGY", "MAISIE", "MADGE"),
    ("ALEXANDER", "ALEX", "ALEC", "SANDY", "XANDER"),
    ("ALEXANDRA", "ALEX", "LEXI", "SANDRA", "OLA"),
    ("DANIEL", "DAN", "DANNY"),
    ("BENJAMIN", "BEN", "BENNY", "BENJI"),
    ("CHARLES", "CHARLIE", "CHAS", "CHUCK"),
    ("CHARLOTTE", "CHARLIE", "LOTTIE", "LOTTE"),
    ("ELEANOR", "ELLIE", "NELL", "NELLIE", "ELLA"),
    ("RICHARD", "RICH", "RICHIE", "RICK", "DICK"),
    ("JOSEPH", "JOE", "JOEY"),
    ("MATTHEW", "MATT", "MATTY"),
    ("ANTHONY", "ANTONY", "TONY", "ANT"),
    ("ANDREW", "ANDY", "DREW"),
    ("EDWARD", "ED", "EDDIE", "TED", "TEDDY", "NED"),
    ("NICHOLAS", "NICK", "NICKY"),
    ("VICTORIA", "VICKY", "VICKI", "TORI"),
    ("SUSAN", "SUE", "SUSIE", "SUZY"),
    ("PATRICIA", "PAT", "PATTY", "TRISH", "TRICIA"),
    ("PATRICK", "PAT", "PADDY"),
    ("DEBORAH", "DEBBIE", "DEBS", "DEB"),
    ("JESSICA", "JESS", "JESSIE"),
    ("STEPHEN", "STEVE", "STEVIE"),
    ("STEVEN", "STEVE", "STEVIE"),
    ("PETER", "PETE"),
    ("KENNETH", "KEN", "KENNY"),
    ("GREGORY", "GREG"),
    ("TIMOTHY", "TIM", "TIMMY"),
    ("ABIGAIL", "ABBY", "ABBIE", "GAIL"),
    ("JOSHUA", "JOSH"),
    ("FREDERICK", "FRED", "FREDDIE", "FREDDY"),
    ("NATHAN", "NATE", "NAT"),
    ("NATHANIEL", "NATE", "NAT"),
    ("NATALIE", "NAT", "NATTIE"),
    ("ZACHARY", "ZAC", "ZACK", "ZAK"),
    ("JACQUELINE", "JACKIE", "JACQUI"),
    ("KIMBERLEY", "KIM"),
    ("KIMBERLY", "KIM"),
    ("MUHAMMAD", "MOHAMMED", "MOHAMMAD", "MOHAMED", "MO"),
    ("JAKUB", "KUBA"),
    ("KATARZYNA", "KASIA"),
    ("MALGORZATA", "GOSIA"),
    ("GWENLLIAN", "GWEN"),
    ("IBRAHIM", "IBBY"),
    ("PHILIP", "PHIL", "PIP"),
    ("PHILLIP", "PHIL"),
    ("GERALD", "GERRY", "GED"),
    ("TERENCE", "TERRY", "TEL"),
    ("RAYMOND", "RAY"),
    ("RONALD", "RON", "RONNIE"),
    ("DONALD", "DON", "DONNIE"),
    ("LEONARD", "LEN", "LENNY", "LEO"),
    ("ALBERT", "ALBIE", "BERT"),
    ("ALFRED", "ALF", "ALFIE"),
    ("ARCHIBALD", "ARCHIE"),
    ("THEODORE", "THEO", "TED", "TEDDY"),
    ("FRANCES", "FRAN", "FRANNIE"),
    ("FRANCIS", "FRANK", "FRAN"),
    ("AMELIA", "MILLIE", "AMY"),
    ("AMANDA", "MANDY"),
    ("ISABELLA", "BELLA", "IZZY", "ISSY"),
    ("ISABEL", "IZZY", "ISSY", "BELLE"),
    ("GABRIELLE", "GABBY", "ELLE"),
    ("OLIVIA", "LIV", "LIVVY", "LIVIA"),
    ("SOPHIA", "SOPHIE"),
    ("EMILY", "EMMY", "MILLIE"),
    ("ANNE", "ANNIE", "NANCY"),
    ("ANN", "ANNIE"),
    ("HELEN", "NELL"),
    ("DOROTHY", "DOT", "DOTTIE", "DOLLY"),
    ("MARY", "MOLLY", "POLLY", "MAE"),
    ("LOUISE", "LOU", "LOUIE"),
    ("LOUIS", "LOU", "LOUIE"),
    ("DOUGLAS", "DOUG"),
    ("GEOFFREY", "GEOFF", "JEFF"),
    ("JEFFREY", "JEFF"),
    ("LAWRENCE", "LAURIE", "LARRY"),
    ("VINCENT", "VINCE", "VINNIE"),
    ("CAMERON", "CAM"),
)


@functools.cache
def _index() -> dict[str, frozenset[int]]:
    index: dict[str, set[int]] = {}
    for i, group in enumerate(GROUPS):
        for n in group:
            index.setdefault(n, set()).add(i)
    return {k: frozenset(v) for k, v in index.items()}


def equivalent(a: str, b: str) -> bool:
    """True when two normalised given names are equal or share a nickname group."""
    if a == b:
        return True
    index = _index()
    return bool(index.get(a, frozenset()) & index.get(b, frozenset()))
