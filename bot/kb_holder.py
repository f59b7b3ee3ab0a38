"""The knowledge base the running bot serves: loaded at start-up, swapped whole on reload.

Infrastructure, not a handler: handlers are given the current ``KnowledgeBase`` in their context.
"""

from __future__ import annotations

from pathlib import Path

from handlers.kb.articles import KnowledgeBase, load_knowledge_base


class KnowledgeBaseHolder:
    """The knowledge base in use; ``reload`` swaps in a new one only if the folder loads whole."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.current = kb

    @classmethod
    def from_folder(cls, folder: Path) -> KnowledgeBaseHolder:
        return cls(load_knowledge_base(folder))

    def reload(self, folder: Path) -> KnowledgeBase:
        """Load the folder again; on error the old knowledge base stays and the error is raised."""
        self.current = load_knowledge_base(folder)
        return self.current
