"""Stop words for keyword extraction (French first, English and German too): ``models.language.REGISTRY`` holds them.

Kept in the project rather than fetched (NLTK data needs a download). Accents
are part of the words: "élèves" must survive tokenisation intact.
"""

from __future__ import annotations

FRENCH = frozenset("""
a à afin ai aie aient aies ait alors as au aucun aucune aussi autre autres aux avait avant avec
avoir avons ayant bien c ça car ce ceci cela celle celles celui cependant ces cet cette ceux chacun
chaque chez ci comme comment d dans de des donc dont du elle elles en encore entre es est et était
étaient été être eu eux faire fait faut font hors il ils j je jusqu l la là le les leur leurs lors
lui m ma mais me même mêmes mes moi moins mon n ne ni non nos notre nous on ont ou où par parce pas
peu peut peuvent plus pour pourquoi qu quand que quel quelle quelles quels qui quoi s sa sans se
selon ses si sien soi soit son sont sous sur t ta te tes toi ton tous tout toute toutes très tu un
une unes uns va vers via voir vos votre vous y il faut faudrait doit doivent devrait devraient
mettre mise place etc ex afin davantage plus moins beaucoup tant trop cas fois lorsque puis
""".split())

ENGLISH = frozenset("""
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most
my myself no nor not now of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves also should would must may might people
""".split())

GERMAN = frozenset("""
aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei bin bis bist
da damit dann das dass dem den denn der des dich die dies diese diesem diesen dieser dieses doch dort
du durch ein eine einem einen einer eines er es etwas euch für gegen hat hatte haben hin hinter ich
ihr ihre im in ist ja jede jedem jeden jeder jedes jetzt kann kein keine können man manche mehr mein
mit muss müssen nach nicht nichts noch nun nur ob oder ohne sehr sein seine sich sie sind so solche
soll sollen sollte sollten sondern über um und uns unter viel vom von vor war waren was weil welche
wenn werden wie wieder will wir wird wo wollen würde zu zum zur zwischen bzw z.b usw sowie klimarat
""".split())
