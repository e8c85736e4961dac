"""``python -m roleclass``: the same CLI as the ``roleclass`` command."""

from roleclass.cli import main

if __name__ == "__main__":
    main()
