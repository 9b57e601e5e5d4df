// ClaveStorage: see shared/DESIGN.md. The first real file of the module replaces this one.
