import java.util.jar.JarFile

def log = new File(basedir, 'build.log').text
assert log.contains('Embedded store site is up to date') : 'the second build wrote the store again'

def first = new File(basedir, 'target/embed-site-1.0.jar')
def again = new File(basedir, 'again/embed-site-1.0.jar')
assert first.bytes == again.bytes : 'two builds of the same folder gave different jars'

def jar = new JarFile(first)
def names = jar.entries().collect { it.name }
jar.close()
assert names.contains('META-INF/morgana/kv/site/index')
assert names.contains('META-INF/morgana/kv/site/pack-0')
assert names.contains('META-INF/morgana/kv/docs/index')
assert !names.any { it.contains('fingerprint') } : 'the fingerprint stays out of the jar'
return true
